import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ColumnReader } from '../../../../engine/contract/result-columns';
import { SAMPLE_QUESTIONS } from '../../../../engine/sources/sample-data';
import { openTestEngine, type TestEngine } from '../../../support/engine';

// The questions the Ask page offers on the sample, asked as a user would: offline planner, approve, run.
// Each answer is checked against SQL written by hand and run by DuckDB directly on the shipped files.
const files = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../build-resources/sample/chinook');
const table = (name: string) => `read_parquet('${path.join(files, `${name}.parquet`)}')`;

/** Gold answers: the same rows as `[label, value]` pairs (or one value), whatever order the planner chose. */
const GOLD: Record<string, { sql: string; keyed: boolean }> = {
  'How many tracks are there?': { sql: `SELECT count(*) FROM ${table('track')}`, keyed: false },
  'Top 5 artists by number of tracks': {
    sql: `SELECT ar.name, count(*) AS n FROM ${table('track')} t JOIN ${table('album')} al USING (album_id) JOIN ${table('artist')} ar USING (artist_id)
          GROUP BY ar.artist_id, ar.name ORDER BY n DESC, ar.name LIMIT 5`,
    keyed: true,
  },
  'How many customers per country?': { sql: `SELECT country, count(*) FROM ${table('customer')} GROUP BY country`, keyed: true },
  'Total sales per year': { sql: `SELECT year(invoice_date), sum(total) FROM ${table('invoice')} GROUP BY 1`, keyed: true },
  'Total revenue per genre': {
    sql: `SELECT g.name, sum(il.unit_price * il.quantity) FROM ${table('invoice_line')} il JOIN ${table('track')} t USING (track_id) JOIN ${table('genre')} g USING (genre_id) GROUP BY g.genre_id, g.name`,
    keyed: true,
  },
  'What is the average unit price of tracks?': { sql: `SELECT avg(unit_price) FROM ${table('track')}`, keyed: false },
};

/** Numbers as numbers (DECIMAL comes back as text, BIGINT as bigint), rounded to cents; labels as text. */
const norm = (value: unknown) => {
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : null;
  return n === null ? String(value) : Math.round(n * 100) / 100;
};
const shape = (rows: unknown[][], keyed: boolean) => (keyed ? Object.fromEntries(rows.map((r) => [String(norm(r[0])), norm(r.at(-1))])) : rows.map((r) => r.map(norm)));

let te: TestEngine;
let gold: DuckDBConnection;
let goldDb: DuckDBInstance;
let sourceId = '';

test.before(async () => {
  te = await openTestEngine({ unlocked: true });
  goldDb = await DuckDBInstance.create(':memory:');
  gold = await goldDb.connect();
});
test.after(async () => {
  gold.closeSync();
  goldDb.closeSync();
  await te.close();
});

test('the sample is a ready file source with no login risk, so nothing needs confirming before a run', async () => {
  const source = await te.ok('sources.addSample');
  sourceId = source.id;
  assert.is(source.type, 'file');
  assert.is(source.status, 'CONNECTED');
  assert.equal(source.risks, []);
  assert.is(source.risksConfirmed, true);
  assert.equal(await te.ok('sources.examples', { id: sourceId }), [...SAMPLE_QUESTIONS]);
});

test('there are 4 to 6 example questions, each with a gold answer', () => {
  assert.ok(SAMPLE_QUESTIONS.length >= 4 && SAMPLE_QUESTIONS.length <= 6, `${SAMPLE_QUESTIONS.length} questions`);
  assert.equal(Object.keys(GOLD).sort(), [...SAMPLE_QUESTIONS].sort());
});

for (const question of SAMPLE_QUESTIONS) {
  test(`offline planner answers "${question}" correctly`, async () => {
    const asked = await te.ok('chat.ask', { sourceId, question });
    assert.is(asked.provider, 'offline planner');
    assert.ok(asked.approval, `no approval for ${question}: ${asked.declined?.reason ?? asked.verdict?.reasons.map((r) => r.message).join('; ')}`);
    const { message } = await te.ok('chat.approve', { sessionId: asked.sessionId, messageId: asked.messageId, token: asked.approval!.token });
    if (message.payload.kind !== 'result') return assert.unreachable(`${question}: ${JSON.stringify(message.payload)}`);
    const result = await te.ok('chat.result', { resultId: message.payload.resultId });
    const { sql, keyed } = GOLD[question]!;
    const expected = (await gold.runAndReadAll(sql)).getRowsJson() as unknown[][];
    assert.equal(shape(new ColumnReader(result.data).rows(), keyed), shape(expected, keyed), `${question}\n${asked.query}`);
  });
}

test.run();
