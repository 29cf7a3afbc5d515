import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestEngine, TEST_PIN } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

// The unlock stamp (ProfileLock.unlockStamp) is how a long-lived host serving other processes (the CLI's
// unlock session) notices that the unlock it holds no longer stands: it must change with the PIN, a
// removed profile or a deliberate lock in the app, and stay put for everything else.
const NEW_PIN = '602817';

test('the stamp changes when the app changes the PIN or locks the profile, not for settings, a rename or the app going idle', async () => {
  const dir = tempDir('polystore-unlock-stamp-');
  const session = await openTestEngine({ dataDir: dir.path, keepDataDir: true, host: 'cli', unlocked: true });
  const app = await openTestEngine({ dataDir: dir.path, keepDataDir: true, host: 'browser' });
  try {
    await app.ok('auth.unlock', { secret: TEST_PIN });
    const stamp = () => session.engine.lock.unlockStamp();
    const start = stamp();
    assert.ok(start, 'an unlocked profile has a stamp');

    await app.ok('settings.update', { autoLockMinutes: 45 });
    await app.ok('auth.renameProfile', { profileId: start.profileId, name: 'Renamed' });
    app.engine.lockNow('idle');
    assert.equal(stamp(), start, 'unrelated changes and the app going idle leave it');

    await app.ok('auth.unlock', { secret: TEST_PIN });
    await app.ok('auth.lock');
    const afterLock = stamp();
    assert.ok(afterLock && afterLock.lastAppLock > start.lastAppLock, 'a deliberate lock in the app changes it');
    assert.is(afterLock.verifier, start.verifier);

    await app.ok('auth.unlock', { secret: TEST_PIN });
    await app.ok('auth.changeSecret', { current: TEST_PIN, next: { kind: 'pin', secret: NEW_PIN } });
    assert.is.not(stamp()?.verifier, start.verifier, 'a new PIN changes it');

    await session.ok('auth.lock');
    assert.is(stamp(), null, 'locked: no stamp');
  } finally {
    await app.close();
    await session.close();
    dir.remove();
  }
});

test.run();
