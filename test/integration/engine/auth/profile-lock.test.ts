import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { throttleDelayMs } from '../../../../engine/auth/profile-lock';
import { MemorySecretStore } from '../../../../engine/secrets/secret-store';
import { openTestEngine, TEST_PIN } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

const secrets = new MemorySecretStore();

test('a new profile folder starts in setup; setup creates the profile and unlocks it', async () => {
  const te = await openTestEngine({ secrets });
  assert.is((await te.ok('auth.status')).state, 'setup-required');
  const weak = await te.call('auth.setup', { kind: 'pin', secret: '123456' });
  assert.is(weak.ok ? 'ok' : weak.error.code, 'VALIDATION');
  const status = await te.ok('auth.setup', { kind: 'pin', secret: TEST_PIN, profileName: 'Ada' });
  assert.equal([status.state, status.profileName, status.secretKind], ['unlocked', 'Ada', 'pin']);
  const again = await te.call('auth.setup', { kind: 'pin', secret: '480614' });
  assert.is(again.ok ? 'ok' : again.error.code, 'CONFLICT');
  await te.close();
});

test('the app starts locked after a restart, and the right PIN unlocks it', async () => {
  const dir = tempDir();
  const first = await openTestEngine({ secrets, dataDir: dir.path, unlocked: true });
  await first.close();
  const second = await openTestEngine({ secrets, dataDir: dir.path });
  assert.is((await second.ok('auth.status')).state, 'locked');
  const locked = await second.call('sources.list');
  assert.is(locked.ok ? 'ok' : locked.error.code, 'LOCKED');
  await second.ok('auth.unlock', { secret: TEST_PIN });
  assert.ok((await second.call('sources.list')).ok);
  await second.close();
  dir.remove();
});

test('wrong PINs: a clear message, then an exponentially growing delay that survives a restart', async () => {
  const dir = tempDir();
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const now = () => clock;
  let te = await openTestEngine({ secrets, dataDir: dir.path, unlocked: true, now });
  await te.ok('auth.lock');
  for (let i = 1; i <= 4; i++) {
    const r = await te.call('auth.unlock', { secret: '999999' });
    assert.is(r.ok ? 'ok' : r.error.code, 'FORBIDDEN');
    if (!r.ok) assert.match(r.error.message, new RegExp(`Wrong PIN. ${5 - i} attempts? left`));
  }
  const fifth = await te.call('auth.unlock', { secret: '999999' });
  assert.ok(!fifth.ok && /try again in 30 s/.test(fifth.error.message), JSON.stringify(fifth));
  // During the delay even the right PIN is not checked.
  const blocked = await te.call('auth.unlock', { secret: TEST_PIN });
  assert.is(blocked.ok ? 'ok' : blocked.error.code, 'RATE_LIMITED');
  if (!blocked.ok) assert.is(blocked.error.details?.retryAfterMs, 30_000);
  // Restarting does not reset the counter or the delay.
  await te.close();
  te = await openTestEngine({ secrets, dataDir: dir.path, now, keepDataDir: true });
  const status = await te.ok('auth.status');
  assert.is(status.failedAttempts, 5);
  assert.is(status.retryAfterMs, 30_000);
  const stillBlocked = await te.call('auth.unlock', { secret: TEST_PIN });
  assert.is(stillBlocked.ok ? 'ok' : stillBlocked.error.code, 'RATE_LIMITED');
  clock += 30_001;
  const sixth = await te.call('auth.unlock', { secret: '999999' });
  assert.ok(!sixth.ok && /try again in 60 s/.test(sixth.error.message));
  clock += 60_001;
  await te.ok('auth.unlock', { secret: TEST_PIN });
  assert.is((await te.ok('auth.status')).failedAttempts, 0);
  const audit = await te.ok('audit.list', { action: 'auth.unlock_failed' });
  assert.is(audit.events.length, 6);
  await te.close();
  dir.remove();
});

test('the delay grows exponentially and is capped', () => {
  assert.equal([1, 4, 5, 6, 7, 8].map(throttleDelayMs), [0, 0, 30_000, 60_000, 120_000, 240_000]);
  assert.is(throttleDelayMs(50), 3_600_000);
});

test('changing the PIN requires the current one; the new one works after locking', async () => {
  const te = await openTestEngine({ secrets, unlocked: true });
  const wrong = await te.call('auth.changeSecret', { current: '999999', next: { kind: 'pin', secret: '135792' } });
  assert.is(wrong.ok ? 'ok' : wrong.error.code, 'FORBIDDEN');
  const weak = await te.call('auth.changeSecret', { current: TEST_PIN, next: { kind: 'pin', secret: '1111' } });
  assert.is(weak.ok ? 'ok' : weak.error.code, 'VALIDATION');
  await te.ok('auth.changeSecret', { current: TEST_PIN, next: { kind: 'passphrase', secret: 'correct horse battery' } });
  await te.ok('auth.lock');
  assert.is((await te.call('auth.unlock', { secret: TEST_PIN })).ok, false);
  const status = await te.ok('auth.unlock', { secret: 'correct horse battery' });
  assert.is(status.secretKind, 'passphrase');
  const changes = await te.ok('audit.list', { action: 'auth.secret_changed' });
  assert.is(changes.events.length, 1);
  await te.close();
});

test('idle auto-lock: locks after the configured minutes without activity; activity postpones it', async () => {
  let clock = 0;
  const te = await openTestEngine({ secrets, unlocked: true, now: () => clock });
  await te.ok('settings.update', { autoLockMinutes: 5 });
  clock += 4 * 60_000;
  te.engine.lock.checkIdle();
  assert.is(te.engine.lock.isLocked(), false);
  await te.ok('auth.keepAlive');
  clock += 4 * 60_000;
  te.engine.lock.checkIdle();
  assert.is(te.engine.lock.isLocked(), false, 'activity should have reset the idle clock');
  clock += 60_001;
  te.engine.lock.checkIdle();
  assert.is(te.engine.lock.isLocked(), true);
  const audit = te.engine.audit.list({ action: 'auth.locked' });
  assert.equal(audit.events[0]?.details.reason, 'idle');
  await te.close();
});

test('auto-lock set to 0 never locks', async () => {
  let clock = 0;
  const te = await openTestEngine({ secrets, unlocked: true, now: () => clock });
  await te.ok('settings.update', { autoLockMinutes: 0 });
  clock += 48 * 3_600_000;
  te.engine.lock.checkIdle();
  assert.is(te.engine.lock.isLocked(), false);
  await te.close();
});

test('locking from the host (system lock, suspend) locks and says why in the audit log', async () => {
  const te = await openTestEngine({ secrets, unlocked: true });
  const seen: string[] = [];
  te.engine.events.subscribe((event, payload) => event === 'auth.changed' && seen.push((payload as { state: string }).state));
  te.engine.lockNow('suspend');
  assert.equal(seen, ['locked']);
  assert.is(te.engine.audit.list({ action: 'auth.locked' }).events[0]?.details.reason, 'suspend');
  await te.close();
});

test.run();
