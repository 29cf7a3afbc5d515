import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../../../engine/store/db';
import { migrations } from '../../../../../engine/store/migrations/index';
import { tempDir } from '../../../../support/tmp';

test('0080 migrates a 0070 database: used and denied nonces become rows, including a run whose status was edited back to issued', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: migrations.filter((m) => m.id < 80) });
  const issue = old.prepare(
    `INSERT INTO approvals (nonce, source_id, query_hash, query_text, issued_at, expires_at, status, decided_at) VALUES (?, 'src_1', 'h', 'SELECT 1', ?, 't', ?, ?)`,
  );
  issue.run('n_issued', '2026-01-01T00:00:00.000Z', 'issued', null);
  issue.run('n_used', '2026-01-01T00:00:01.000Z', 'consumed', '2026-01-01T00:00:02.000Z');
  issue.run('n_denied', '2026-01-01T00:00:03.000Z', 'denied', '2026-01-01T00:00:04.000Z');
  // Ran, then someone set the status back: the recorded run still proves the use.
  issue.run('n_edited', '2026-01-01T00:00:05.000Z', 'issued', null);
  old
    .prepare(`INSERT INTO query_runs (id, nonce, source_id, started_at, finished_at, status, latency_ms) VALUES (?, ?, 'src_1', ?, 't', 'succeeded', 1)`)
    .run('r1', 'n_edited', '2026-01-01T00:00:06.000Z');
  old
    .prepare(`INSERT INTO query_runs (id, nonce, source_id, started_at, finished_at, status, latency_ms) VALUES (?, ?, 'src_1', ?, 't', 'succeeded', 1)`)
    .run('r2', 'n_used', '2026-01-01T00:00:02.500Z');
  old.close();

  const db = openDatabase(file);
  assert.equal(db.prepare('SELECT nonce, outcome, at FROM approval_uses ORDER BY nonce').all(), [
    { nonce: 'n_denied', outcome: 'denied', at: '2026-01-01T00:00:04.000Z' },
    { nonce: 'n_edited', outcome: 'consumed', at: '2026-01-01T00:00:06.000Z' },
    { nonce: 'n_used', outcome: 'consumed', at: '2026-01-01T00:00:02.000Z' },
  ]);
  assert.equal(db.prepare('SELECT COUNT(*) AS n FROM approvals').get(), { n: 4 }, 'approvals are kept');
  const use = db.prepare(`INSERT INTO approval_uses (nonce, outcome, at) VALUES (?, 'consumed', 't')`);
  use.run('n_issued');
  assert.throws(() => use.run('n_issued'), /UNIQUE|PRIMARY/);
  assert.throws(() => use.run('n_unknown'), /FOREIGN KEY/);
  assert.throws(() => db.prepare(`UPDATE approval_uses SET outcome = 'denied'`).run(), /append-only/);
  assert.throws(() => db.prepare(`DELETE FROM approval_uses`).run(), /append-only/);
  db.close();
  dir.remove();
});

test.run();
