import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildApi, type Transport } from '../../../../engine/contract/api';
import { channelNames } from '../../../../engine/contract/index';
import { isRendererChannel, rendererChannels } from '../../../../engine/contract/renderer-channels';
import type { Router } from '../../../../engine/router/router';
import { createIpcHandler } from '../../../../main/electron/ipc';
import { repoRoot } from '../../../support/tmp';

/** The renderer's sources without comments (a channel named in a comment is not a call). */
function rendererSources(): Array<{ file: string; text: string }> {
  const dir = path.join(repoRoot, 'renderer/src');
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(ts|svelte)$/.test(d.name))
    .map((d) => path.join(d.parentPath, d.name))
    .map((file) => ({
      file: path.relative(repoRoot, file),
      text: fs
        .readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/<!--[\s\S]*?-->/g, '')
        .replace(/(^|[^:'"`])\/\/.*$/gm, '$1'),
    }));
}

/** Channels the page calls: `group.verb` (or `group?.verb`) after any receiver, for every channel of the contract. */
function calledChannels(): Map<string, string[]> {
  const called = new Map<string, string[]>();
  const sources = rendererSources();
  for (const name of channelNames) {
    const [group, verb] = name.split('.') as [string, string];
    const pattern = new RegExp(`\\b${group}\\s*\\??\\.\\s*${verb}\\b`);
    const files = sources.filter((s) => pattern.test(s.text)).map((s) => s.file);
    if (files.length) called.set(name, files);
  }
  return called;
}

test('the page is given exactly the channels renderer/src calls: every call is allowed, and nothing unused is exposed', () => {
  const called = calledChannels();
  const missing = [...called.keys()].filter((c) => !isRendererChannel(c));
  assert.equal(missing, [], `called by the renderer but not in engine/contract/renderer-channels.ts: ${missing.map((c) => `${c} (${called.get(c)!.join(', ')})`).join('; ')}`);
  const unused = rendererChannels.filter((c) => !called.has(c));
  assert.equal(unused, [], 'allowed for the page but called nowhere in renderer/src: remove them from the list');
  assert.ok(rendererChannels.length < channelNames.length, 'the page does not get every channel');
});

test('no channel lets the page approve on its own: query.prepare, query.run and the other bare-SQL or bare-token channels are not exposed', () => {
  for (const channel of ['query.prepare', 'query.run', 'query.check', 'query.deny', 'query.cancel']) assert.not.ok(isRendererChannel(channel), channel);
  const transport: Transport = { invoke: async () => ({ ok: true, value: null }), subscribe: () => () => {} };
  const api = buildApi(transport, rendererChannels) as unknown as Record<string, Record<string, unknown>>;
  assert.is(api.query, undefined, 'no query group on window.polystore');
  assert.type(api.chat?.approve, 'function');
  const exposed = Object.entries(api).flatMap(([group, verbs]) => (group === 'on' ? [] : Object.keys(verbs).map((v) => `${group}.${v}`)));
  assert.equal(exposed.sort(), [...rendererChannels].sort());
});

test('the Electron IPC handler refuses a channel outside the list even from the app page (a compromised page can send any name)', async () => {
  const seen: unknown[] = [];
  const router: Router = { dispatch: async (c) => (seen.push(c), { ok: true, value: 'fine' }) };
  const handle = createIpcHandler(router);
  const page = { senderFrame: { url: 'app://polystore/index.html' } };
  const refused = await handle(page, 'query.run', { token: 'v2.x.y' });
  assert.equal(refused.ok ? null : [refused.error.code, refused.error.details?.reason], ['FORBIDDEN', 'CHANNEL_NOT_EXPOSED']);
  assert.equal(seen, [], 'the router never saw it');
  assert.equal(await handle(page, 'chat.approve', { sessionId: 's', messageId: 'm', token: 't' }), { ok: true, value: 'fine' });
});

test.run();
