import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../../../engine/store/db';
import { migrations } from '../../../../../engine/store/migrations/index';
import { tempDir } from '../../../../support/tmp';

test('0110 migrates a 0100 database: uses become attempt 1; a use is given back only by a run that failed before its statement started', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: migrations.filter((m) => m.id < 110) });
  const issue = old.prepare(`INSERT INTO approvals (nonce, source_id, query_hash, query_text, session_id, message_id, issued_at, expires_at) VALUES (?, 'src_1', 'h', 'SELECT 1', 's1', ?, 't', 't')`);
  for (const nonce of ['n_used', 'n_denied', 'n_fresh', 'n_ran']) issue.run(nonce, `m_${nonce}`);
  old.prepare(`INSERT INTO approval_uses (nonce, outcome, at) VALUES ('n_used', 'consumed', 'a'), ('n_denied', 'denied', 'b')`).run();
  old
    .prepare(`INSERT INTO query_runs (id, nonce, source_id, session_id, message_id, started_at, finished_at, status, latency_ms) VALUES ('r_old', 'n_used', 'src_1', 's1', 'm_n_used', 't', 't', 'succeeded', 1)`)
    .run();
  old.close();

  const db = openDatabase(file);
  assert.equal(db.prepare('SELECT nonce, attempt, outcome, at FROM approval_uses ORDER BY nonce').all(), [
    { nonce: 'n_denied', attempt: 1, outcome: 'denied', at: 'b' },
    { nonce: 'n_used', attempt: 1, outcome: 'consumed', at: 'a' },
  ]);
  assert.equal(db.prepare('SELECT id, statement_started FROM query_runs').all(), [{ id: 'r_old', statement_started: null }], 'old runs are kept, their start unknown');

  const use = db.prepare(`INSERT INTO approval_uses (nonce, attempt, outcome, at) VALUES (?, ?, 'consumed', 't')`);
  const start = db.prepare(
    `INSERT INTO query_run_starts (id, nonce, attempt, source_id, session_id, message_id, started_at, deadline_at, instance_id, pid) VALUES (?, ?, ?, 'src_1', 's1', NULL, 't', 't', 'i', 1)`,
  );
  const finish = db.prepare(
    `INSERT INTO query_runs (id, nonce, source_id, started_at, finished_at, status, latency_ms, statement_started) VALUES (?, ?, 'src_1', 't', 't', ?, 1, ?)`,
  );
  // A second use of a used nonce is refused, as before.
  assert.throws(() => use.run('n_used', 1), /UNIQUE|PRIMARY/);
  assert.throws(() => use.run('n_used', 2), /used already/);
  // A run that failed before the statement started gives the approval back: attempt 2 may follow.
  use.run('n_fresh', 1);
  start.run('r1', 'n_fresh', 1);
  assert.throws(() => use.run('n_fresh', 2), /used already/, 'not while the first run has no outcome');
  finish.run('r1', 'n_fresh', 'failed', 0);
  assert.throws(() => use.run('n_fresh', 3), /used already/, 'attempts are consecutive');
  use.run('n_fresh', 2);
  // A run that may have reached the server does not give it back.
  use.run('n_ran', 1);
  start.run('r2', 'n_ran', 1);
  finish.run('r2', 'n_ran', 'failed', 1);
  assert.throws(() => use.run('n_ran', 2), /used already/);
  // A start belongs to a recorded use; starts are append-only.
  assert.throws(() => start.run('r3', 'n_ran', 5), /FOREIGN KEY/);
  assert.throws(() => db.prepare(`UPDATE query_run_starts SET pid = 2`).run(), /append-only/);
  assert.throws(() => db.prepare(`DELETE FROM approval_uses`).run(), /append-only/);
  db.close();
  dir.remove();
});

test.run();
