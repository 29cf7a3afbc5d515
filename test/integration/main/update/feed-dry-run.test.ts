import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UpdateController, type UpdateChannel, type UpdateState } from '../../../../main/update/update-controller';
import { DryRunUpdater, serveFolder, writeZip } from '../../../support/update-feed';
import { repoRoot, tempDir } from '../../../support/tmp';
// @ts-expect-error: a plain ESM script (no types), run by release engineers and CI as well as here
import { writeFeed } from '../../../../scripts/release/mac-feed.mjs';

const feedScript = path.join(repoRoot, 'scripts/release/mac-feed.mjs');
const LOW_ID = '6ba7b810-9dad-41d1-80b4-000000000001'; // inside any rollout above 0%
const HIGH_ID = '6ba7b810-9dad-41d1-80b4-0000ffffffff'; // outside any rollout below 100%

interface Release {
  dir: string;
  arm64Zip: Buffer;
  close(): Promise<void>;
  url: string;
  requests: string[];
}

/** Publishes a release as the release workflow does: one feed per architecture's job, merged, optionally staged. */
async function publish(options: { stable: string; beta?: string; stagePercent?: number }): Promise<Release> {
  const dir = tempDir('polystore-feed-').path;
  const feedFor = (version: string, channel: string) => {
    const arm64Zip = crypto.randomBytes(48 * 1024);
    const arm = writeZip(dir, `PolyStoreIQ-${version}-arm64-mac.zip`, arm64Zip);
    const x64 = writeZip(dir, `PolyStoreIQ-${version}-mac.zip`, crypto.randomBytes(48 * 1024));
    const perArch = [arm, x64].map((file, i) => {
      const name = path.join(dir, `${channel}-${i}.yml`);
      fs.writeFileSync(name, writeFeed({ version, files: [file], path: file.url, sha512: file.sha512, releaseDate: '2026-12-07T10:00:00.000Z' }));
      return name;
    });
    execFileSync(process.execPath, [feedScript, 'merge', ...perArch, '--out', path.join(dir, `${channel}-mac.yml`)]);
    return arm64Zip;
  };
  const arm64Zip = feedFor(options.stable, 'latest');
  if (options.beta) feedFor(options.beta, 'beta');
  if (options.stagePercent !== undefined) execFileSync(process.execPath, [feedScript, 'stage', path.join(dir, 'latest-mac.yml'), String(options.stagePercent)]);
  const server = await serveFolder(dir);
  open.push(server);
  return { dir, arm64Zip, url: server.url, requests: server.requests, close: server.close };
}

/** Servers still open: a failed assertion must not leave one keeping the process alive. */
const open: Array<{ close(): Promise<void> }> = [];
test.after.each(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => {})));
});

/** An installed app at `version`, its updater run by our policy, answering "Restart now". */
function install(release: Release, options: { version: string; channel?: UpdateChannel; stagingId?: string }) {
  const home = tempDir('polystore-install-').path;
  if (options.stagingId) fs.writeFileSync(path.join(home, '.updaterId'), options.stagingId);
  const updater = new DryRunUpdater({ version: options.version, userDataPath: home, cachePath: path.join(home, 'cache'), feedUrl: release.url });
  const installs: string[] = [];
  updater.quitAndInstall = () => void installs.push('restart');
  const states: UpdateState[] = [];
  const asked: string[] = [];
  const controller = new UpdateController({
    updater,
    channel: () => options.channel ?? 'stable',
    isBusy: () => false,
    askToRestart: async ({ version }) => {
      asked.push(version);
      return true;
    },
    onState: (s) => states.push(s),
  });
  /** Resolves once the check (and download, if any) has settled, with a deadline. */
  const settled = () =>
    new Promise<UpdateState>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no outcome: ${JSON.stringify(states)}`)), 60_000);
      const poll = setInterval(() => {
        const last = states.at(-1);
        if (last && ['idle', 'restarting', 'error'].includes(last.kind)) {
          clearTimeout(deadline);
          clearInterval(poll);
          resolve(last);
        }
      }, 20);
    });
  return { updater, controller, installs, asked, states, settled, home };
}

test('a stable install finds the new release, downloads its own architecture, verifies it and restarts when allowed', async () => {
  const release = await publish({ stable: '0.2.0' });
  const app = install(release, { version: '0.1.0' });
  app.controller.start();
  const outcome = await app.settled();
  app.controller.stop();
  assert.equal(outcome, { kind: 'restarting', version: '0.2.0' });
  assert.ok(release.requests.includes('latest-mac.yml'));
  assert.ok(release.requests.includes('PolyStoreIQ-0.2.0-arm64-mac.zip'), 'the arm64 zip, as named in the merged feed');
  assert.not.ok(release.requests.includes('PolyStoreIQ-0.2.0-mac.zip'));
  assert.equal(app.asked, ['0.2.0']);
  assert.equal(app.installs, ['restart']);
  assert.ok(fs.readFileSync(app.updater.downloadedFile!).equals(release.arm64Zip), 'the downloaded file is the published arm64 zip');
});

test('a download that does not match the sha512 in the feed is refused: no restart is offered', async () => {
  const release = await publish({ stable: '0.2.0' });
  fs.writeFileSync(path.join(release.dir, 'PolyStoreIQ-0.2.0-arm64-mac.zip'), Buffer.concat([release.arm64Zip.subarray(1), Buffer.from('x')]));
  const app = install(release, { version: '0.1.0' });
  app.controller.start();
  const outcome = await app.settled();
  app.controller.stop();
  assert.is(outcome.kind, 'error');
  assert.match((outcome as { message: string }).message, /sha512 checksum mismatch/);
  assert.equal(app.asked, []);
  assert.equal(app.installs, []);
});

test('staged rollout: at 10% an install inside the rollout gets the release and one outside does not yet', async () => {
  const release = await publish({ stable: '0.2.0', stagePercent: 10 });
  const inside = install(release, { version: '0.1.0', stagingId: LOW_ID });
  inside.controller.start();
  assert.is((await inside.settled()).kind, 'restarting');
  inside.controller.stop();
  const outside = install(release, { version: '0.1.0', stagingId: HIGH_ID });
  outside.controller.start();
  assert.equal(await outside.settled(), { kind: 'idle' });
  outside.controller.stop();
  assert.equal(outside.installs, []);
});

test('beta testers follow beta-mac.yml; stable installs never see the beta', async () => {
  const release = await publish({ stable: '0.2.0', beta: '0.3.0-beta.1' });
  const beta = install(release, { version: '0.2.0', channel: 'beta' });
  beta.controller.start();
  assert.equal(await beta.settled(), { kind: 'restarting', version: '0.3.0-beta.1' });
  beta.controller.stop();
  assert.ok(release.requests.includes('beta-mac.yml'));
  const stable = install(release, { version: '0.2.0' });
  stable.controller.start();
  assert.equal(await stable.settled(), { kind: 'idle' });
  stable.controller.stop();
});

test('rollback: a bad beta is pulled by publishing the last good build on the beta feed (installs step back); stable never steps back', async () => {
  const release = await publish({ stable: '0.2.0', beta: '0.3.0-beta.1' });
  const onBadBeta = install(release, { version: '0.3.0-beta.2', channel: 'beta' });
  onBadBeta.controller.start();
  assert.equal(await onBadBeta.settled(), { kind: 'restarting', version: '0.3.0-beta.1' });
  onBadBeta.controller.stop();
  const newerStable = install(release, { version: '0.2.1' });
  newerStable.controller.start();
  assert.equal(await newerStable.settled(), { kind: 'idle' }, 'the stable channel only moves forward: pull a stable release by publishing a higher-version rebuild');
  newerStable.controller.stop();
});

test.run();
