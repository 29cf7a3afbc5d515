import type { ChannelName } from './index';

/**
 * Every channel the app's page calls, and no other. The Electron preload and
 * the browser host's bridge expose only these, and both hosts refuse any
 * other channel from the page, so a compromised page reaches no more of the
 * engine than the app itself uses (test/unit/engine/contract/renderer-channels.test.ts
 * keeps this list equal to what renderer/src calls).
 *
 * Deliberately absent: `query.prepare`, `query.run`, `query.check`,
 * `query.deny` and `query.cancel`. They take bare SQL or a bare token, so a
 * page holding them could mint an approval and run it outside any
 * conversation, with nothing shown to the user. The page approves only through
 * `chat.approve` (a token the engine issued for a query message of an open
 * conversation, which the engine refuses when that query was replaced or
 * skipped, and records in the thread and the audit log). The CLI, which has
 * no page, keeps the `query.*` channels.
 *
 * `eval.run` (the Evaluate page) runs the planner's queries and a golden
 * file's gold SQL without a per-query click, but only for the owner (the
 * permission matrix), only read-only through the guardrail and EXPLAIN, each
 * with an approval issued to and consumed by the owner and audited like any
 * run, and it returns scores, not rows (a mismatch's detail quotes one gold
 * value): it reaches nothing that chat.editQuery and chat.approve, which return
 * whole results, do not already give the owner's page.
 */
export const rendererChannels = [
  'app.info',
  'app.health',
  'app.selfTest',
  'auth.status',
  'auth.setup',
  'auth.unlock',
  'auth.lock',
  'auth.keepAlive',
  'auth.changeSecret',
  'auth.listProfiles',
  'auth.addViewer',
  'auth.renameProfile',
  'auth.removeProfile',
  'auth.shareSource',
  'settings.get',
  'settings.update',
  'sources.list',
  'sources.types',
  'sources.create',
  'sources.update',
  'sources.disable',
  'sources.enable',
  'sources.confirmRisks',
  'sources.addSample',
  'sources.examples',
  'sources.remove',
  'sources.test',
  'sources.testDraft',
  'sources.files',
  'metadata.get',
  'chat.listSessions',
  'chat.getSession',
  'chat.renameSession',
  'chat.archiveSession',
  'chat.ask',
  'chat.editQuery',
  'chat.approve',
  'chat.deny',
  'chat.cancel',
  'chat.ledger',
  'chat.listResults',
  'chat.result',
  'telemetry.stages',
  'telemetry.record',
  'telemetry.trace',
  'telemetry.slowRuns',
  'providers.get',
  'providers.presets',
  'providers.set',
  'providers.clear',
  'providers.test',
  'host.pickFiles',
  'host.saveFile',
  'audit.list',
  'audit.verify',
  'verified.list',
  'verified.add',
  'verified.edit',
  'verified.remove',
  'eval.run',
  'eval.cancel',
] as const satisfies readonly ChannelName[];

export type RendererChannel = (typeof rendererChannels)[number];

const allowed: ReadonlySet<string> = new Set(rendererChannels);

/** Whether the page may call this channel (hosts check every call from the page with it). */
export function isRendererChannel(name: unknown): name is RendererChannel {
  return typeof name === 'string' && allowed.has(name);
}
