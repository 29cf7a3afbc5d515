import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppSettings } from '../../../../engine/contract/index';
import { ResultRetention } from '../../../../engine/retention/result-retention';
import { RetentionScheduler } from '../../../../engine/retention/retention-scheduler';
import { openDatabase } from '../../../../engine/store/db';
import { createPgDatabase } from '../../../support/databases';
import { openTestEngine } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

const DAY_MS = 24 * 60 * 60 * 1000;

test('results older than the retention are expired at open: the thread still reads, chat.result says expired, a new run is kept; the audit chain verifies after its own pruning', async () => {
  const pg = createPgDatabase('chinook');
  const first = await openTestEngine({ unlocked: true, keepDataDir: true });
  let resultId = '';
  let sessionId: string | undefined;
  try {
    const sourceId = (await first.ok('sources.create', { name: 'Chinook', type: 'postgres', url: `${pg.url}?sslmode=disable` })).id;
    await first.ok('sources.test', { id: sourceId });
    await first.ok('sources.confirmRisks', { id: sourceId });
    const asked = await first.ok('chat.ask', { sourceId, question: 'top 5 artists by number of tracks' });
    sessionId = asked.sessionId;
    const { message } = await first.ok('chat.approve', { sessionId, messageId: asked.messageId, token: asked.approval!.token });
    assert.is(message.payload.kind, 'result');
    if (message.payload.kind === 'result') resultId = message.payload.resultId;
    assert.is((await first.ok('chat.result', { resultId })).data.rowCount, 5);
  } finally {
    await first.close();
  }

  // 31 days later (the default keeps 30): opening the profile applies the policy.
  const later = Date.now() + 31 * DAY_MS;
  const te = await openTestEngine({ dataDir: first.dataDir, unlocked: true, now: () => later, keepDataDir: true });
  try {
    const stored = await te.ok('chat.result', { resultId });
    assert.is(stored.data.rowCount, 0);
    assert.is(stored.rowCount, 5, 'how many rows there were is kept');
    assert.is(stored.expiredAt, new Date(later).toISOString());
    assert.is(stored.chart, undefined);
    const thread = await te.ok('chat.getSession', { sessionId: sessionId! });
    const result = thread.messages.find((m) => m.payload.kind === 'result');
    assert.ok(result && result.payload.kind === 'result' && result.payload.preview.length === 5, 'the thread keeps the first rows');
    assert.ok(thread.messages.some((m) => m.payload.kind === 'query'), 'and the query to run again');
  } finally {
    await te.close();
  }

  // A year and a day later: the audit log's retention (365 days) prunes every event, and the chain still verifies.
  const yearLater = Date.now() + 366 * DAY_MS;
  const third = await openTestEngine({ dataDir: first.dataDir, unlocked: true, now: () => yearLater });
  try {
    const audit = await third.ok('audit.list', {});
    const pruned = audit.events.find((e) => e.action === 'audit.pruned');
    assert.ok(pruned, 'the scheduled prune is itself audited');
    assert.is(pruned!.details.by, 'retention');
    assert.ok((pruned!.details.deleted as number) > 5);
    const verified = await third.ok('audit.verify');
    assert.is(verified.status, 'ok', verified.message);
  } finally {
    await third.close();
    pg.drop();
  }
});

test('the size limit expires the oldest results first and always keeps the newest; the scheduler runs at start and on its timer, unref\'d', () => {
  const dir = tempDir();
  const db = openDatabase(path.join(dir.path, 'app.db'));
  try {
    const insert = db.prepare(`INSERT INTO query_results (id, source_id, columns_json, rows_json, row_count, truncated, created_at) VALUES (?, 'src', '[]', ?, 1, 0, ?)`);
    const rows = JSON.stringify([['x'.repeat(1000)]]);
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 1; i <= 5; i++) insert.run(`res_${i}`, rows, new Date(base + i * 60_000).toISOString());
    const retention = new ResultRetention(db);
    const each = Buffer.byteLength(rows) + 2;

    const outcome = retention.prune({ maxAgeDays: 0, maxBytes: each * 2 + 10 }, base + DAY_MS);
    assert.equal(outcome, { expiredByAge: 0, expiredBySize: 3, freedBytes: each * 3, keptBytes: each * 2 });
    const kept = db.prepare(`SELECT id FROM query_results WHERE rows_json <> '[]' ORDER BY id`).pluck().all();
    assert.equal(kept, ['res_4', 'res_5']);
    assert.equal(retention.expiry('res_1'), { expiredAt: new Date(base + DAY_MS).toISOString(), reason: 'size' });
    assert.is(retention.expiry('res_5'), null);

    // Over the limit on its own, the newest is still kept.
    assert.is(retention.prune({ maxAgeDays: 0, maxBytes: 10 }, base + DAY_MS).expiredBySize, 1);
    assert.equal(db.prepare(`SELECT id FROM query_results WHERE rows_json <> '[]'`).pluck().all(), ['res_5']);

    const ticks: Array<() => void> = [];
    let unrefd = false;
    let cleared = false;
    const settings = { ...AppSettings.parse({}), resultRetentionDays: 1, auditRetentionDays: 0 };
    const logged: string[] = [];
    const logger = { debug() {}, info: (m: string) => logged.push(m), warn: (m: string) => logged.push(m), error() {}, file: null };
    let clock = base + 2 * 60_000;
    const scheduler = new RetentionScheduler({
      results: retention,
      audit: { hasEventsBefore: () => false, prune: () => 0 },
      settings: () => settings,
      logger,
      now: () => clock,
      timers: {
        setInterval: (run) => (ticks.push(run), { unref: () => (unrefd = true) }),
        clearInterval: () => (cleared = true),
      },
    });
    assert.is(scheduler.start().results?.expiredByAge, 0, 'at start nothing is a day old yet');
    assert.ok(unrefd, 'the timer never keeps the host alive');
    insert.run('res_6', rows, new Date(clock).toISOString());
    clock += 2 * DAY_MS;
    ticks[0]!();
    assert.is(retention.expiry('res_5')?.reason, 'age');
    assert.is(retention.expiry('res_6')?.reason, 'age');
    assert.ok(logged.includes('stored results expired by the retention policy'));
    scheduler.stop();
    assert.ok(cleared);
  } finally {
    db.close();
    dir.remove();
  }
});

test.run();
