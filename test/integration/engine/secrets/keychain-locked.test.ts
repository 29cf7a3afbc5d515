import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { APPROVAL_KEY_ACCOUNT } from '../../../../engine/approval/approvals';
import { INTEGRITY_KEY_ACCOUNT } from '../../../../engine/secrets/integrity-key';
import { KeychainSecretStore } from '../../../../engine/secrets/keychain';
import { cliProcess } from '../../../support/cli';
import { openTestEngine, TEST_PIN } from '../../../support/engine';
import { lockKeyring, unlockKeyring } from '../../../support/keyring';
import { repoRoot, tempDir } from '../../../support/tmp';

// The real gnome-keyring of this test's D-Bus session, locked over D-Bus as a screen lock does.
// One scenario in one test: unlocking replaces the keyring daemon (no display for the prompt), after
// which libsecret in this process cannot reach it, so what follows the unlock runs as a new process (the CLI).

const fingerprint = (value: string | null) => (value === null ? null : createHash('sha256').update(value).digest('hex').slice(0, 16));

test('a locked keychain: KEYCHAIN_LOCKED at a source test, at unlock and at setup, no source marked FAILED, no attempt counted, no key created; file sources go on; unlocked, the same keys work', async () => {
  const files = tempDir();
  let before: { integrity: string | null; approval: string | null } | undefined;
  fs.writeFileSync(path.join(files.path, 'people.csv'), 'id,name\n1,Ada\n2,Grace\n');
  const te = await openTestEngine({ unlocked: true, keepDataDir: true });
  const fresh = tempDir();
  try {
    const pg = await te.ok('sources.create', { name: 'Warehouse', type: 'postgres', url: 'postgresql://reporter:s3cret-pw@127.0.0.1:5432/postgres?sslmode=disable' });
    const csv = await te.ok('sources.create', { name: 'People', type: 'file', connection: { paths: [path.join(files.path, 'people.csv')] } });
    assert.ok((await te.ok('query.prepare', { sourceId: csv.id, query: 'SELECT count(*) FROM people' })).approval, 'the approval key exists before the lock');
    const keys = new KeychainSecretStore();
    before = { integrity: fingerprint(await keys.get(INTEGRITY_KEY_ACCOUNT)), approval: fingerprint(await keys.get(APPROVAL_KEY_ACCOUNT)) };
    assert.ok(before.integrity && before.approval);

    lockKeyring();
    const tested = await te.call('sources.test', { id: pg.id });
    assert.is(tested.ok, false);
    if (!tested.ok) {
      assert.is(tested.error.code, 'KEYCHAIN_LOCKED');
      assert.match(tested.error.message, /The OS keychain is locked.*Nothing was changed\. Unlock the login keyring/);
    }
    const source = await te.ok('sources.get', { id: pg.id });
    assert.is(source.status, 'UNTESTED', 'no login was tried without the password, and the source is not marked FAILED');
    assert.is(source.lastError, null);

    // A file source needs no secret, and the approval key is already in memory: it keeps working.
    assert.ok((await te.ok('query.prepare', { sourceId: csv.id, query: 'SELECT count(*) FROM people' })).approval);

    await te.ok('auth.lock');
    const unlock = await te.call('auth.unlock', { secret: TEST_PIN });
    assert.is(unlock.ok ? 'unlocked' : unlock.error.code, 'KEYCHAIN_LOCKED');
    const status = await te.ok('auth.status');
    assert.is(status.state, 'locked');
    assert.is(status.failedAttempts, 0, 'a refused unlock is not counted as a wrong PIN');

    const other = await openTestEngine({ dataDir: fresh.path });
    const setup = await other.call('auth.setup', { kind: 'pin', secret: TEST_PIN });
    assert.is(setup.ok ? 'set up' : setup.error.code, 'KEYCHAIN_LOCKED', 'a profile is not set up on a keychain that cannot hold its keys');
    assert.is((await other.ok('auth.status')).state, 'setup-required');
    await other.close();
    await te.close();
  } finally {
    unlockKeyring();
    files.remove();
  }

  // A new process on the unlocked keyring: the same keys, the audit chain verifies, the PIN opens the profile.
  const env = { POLYSTORE_PIN: TEST_PIN };
  const verify = cliProcess(['--data-dir', te.dataDir, '--json', 'audit', 'verify'], { env });
  assert.is(verify.code, 0, verify.stderr);
  assert.is(verify.json<{ status: string }>().status, 'ok');
  const script = `
    import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
    import { KeychainSecretStore } from './engine/secrets/keychain.ts';
    const s = new KeychainSecretStore();
    const f = (v) => (v === null ? null : createHash('sha256').update(v).digest('hex').slice(0, 16));
    console.log(JSON.stringify({ integrity: f(await s.get(${JSON.stringify(INTEGRITY_KEY_ACCOUNT)})), approval: f(await s.get(${JSON.stringify(APPROVAL_KEY_ACCOUNT)})) }));
  `;
  const after = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  const keysAfter: unknown = JSON.parse(after.stdout.trim().split('\n').pop() ?? 'null');
  const list = cliProcess(['--data-dir', te.dataDir, '--json', 'sources', 'list'], { env });
  assert.is(list.code, 0, list.stderr);
  assert.equal(
    list.json<Array<{ name: string; status: string }>>().map((s) => [s.name, s.status]),
    [['People', 'UNTESTED'], ['Warehouse', 'UNTESTED']],
  );
  fs.rmSync(te.dataDir, { recursive: true, force: true });
  fresh.remove();
  assert.equal(keysAfter, before, after.stderr);
});

test.run();
