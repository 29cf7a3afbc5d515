import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error: a plain ESM script (no types), read by electron-builder as well as here
import { builderConfig, RELEASE_CREDENTIALS, ReleaseConfigError } from '../../../scripts/release/builder-config.mjs';

const credentials = Object.fromEntries(RELEASE_CREDENTIALS.map((name: string) => [name, `secret-value-of-${name}`]));
const quiet = { POLYSTORE_QUIET_BUILD: '1' };

test('a development build is unsigned on purpose: no identity lookup, no notarization, no update feed', () => {
  const config = builderConfig({ ...quiet });
  assert.is(config.mac.identity, null);
  assert.is(config.mac.notarize, false);
  assert.is(config.dmg.sign, false);
  assert.is(config.publish, null);
});

test('a release build without every credential fails loudly, naming what is missing and never printing a value', () => {
  const partial = { ...quiet, POLYSTORE_RELEASE: '1', CSC_LINK: 'secret-cert-base64', CSC_KEY_PASSWORD: 'hunter2' };
  try {
    builderConfig(partial);
    assert.unreachable('should refuse');
  } catch (error) {
    assert.instance(error, ReleaseConfigError);
    const message = (error as Error).message;
    assert.match(message, /APPLE_API_KEY, APPLE_API_KEY_ID, APPLE_API_ISSUER/);
    assert.not.match(message, /hunter2|secret-cert/);
  }
});

test('a release build signs the app and the DMG, notarizes, writes both channel feeds and a draft GitHub release feed', () => {
  const config = builderConfig({ ...quiet, POLYSTORE_RELEASE: '1', ...credentials, POLYSTORE_RELEASE_REPOSITORY: 'acme/polystore' });
  assert.is(config.mac.identity, undefined, 'electron-builder finds the Developer ID from CSC_LINK');
  assert.is(config.mac.notarize, true);
  assert.is(config.dmg.sign, true);
  assert.is(config.mac.hardenedRuntime, true);
  assert.is(config.mac.generateUpdatesFilesForAllChannels, true);
  assert.equal(config.publish, [{ provider: 'github', owner: 'acme', repo: 'polystore', releaseType: 'draft' }]);
});

test('each architecture builds on its own runner: POLYSTORE_ARCH narrows the targets, both by default', () => {
  assert.equal(builderConfig({ ...quiet }).mac.target, [
    { target: 'dmg', arch: ['arm64', 'x64'] },
    { target: 'zip', arch: ['arm64', 'x64'] },
  ]);
  assert.equal(builderConfig({ ...quiet, POLYSTORE_ARCH: 'x64' }).mac.target.map((t: { arch: string[] }) => t.arch), [['x64'], ['x64']]);
  assert.equal(builderConfig({ ...quiet, POLYSTORE_ARCH: 'sparc' }).mac.target[0].arch, ['arm64', 'x64'], 'an unknown arch is ignored, not passed on');
});

test('the native modules are unpacked from the asar and the fuses close the Node entry points', () => {
  const config = builderConfig({ ...quiet });
  for (const m of ['better-sqlite3', 'keytar', '@duckdb']) assert.ok(config.asarUnpack.some((p: string) => p.includes(m)), m);
  assert.is(config.electronFuses.runAsNode, false);
  assert.is(config.electronFuses.onlyLoadAppFromAsar, true);
  assert.ok(config.extraResources.some((r: { to: string }) => r.to === 'README.md'), 'Help opens the README shipped with the app');
});

test.run();
