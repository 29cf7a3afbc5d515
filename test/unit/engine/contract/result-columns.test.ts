import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResultColumn } from '../../../../engine/contract/index';
import { ColumnReader, encodeColumns, findColumnsProblem, type ResultColumns } from '../../../../engine/contract/result-columns';
import { createRouter, type Handlers } from '../../../../engine/router/router';

const COLUMNS: ResultColumn[] = [
  { name: 'id', type: 'integer', nativeType: 'int4' },
  { name: 'name', type: 'string', nativeType: 'text' },
  { name: 'total', type: 'decimal', nativeType: 'numeric' },
  { name: 'ordered_at', type: 'timestamptz', nativeType: 'timestamptz' },
  { name: 'paid', type: 'boolean', nativeType: 'bool' },
  { name: 'note', type: 'string', nativeType: 'text' },
  { name: 'doc', type: 'json', nativeType: 'jsonb' },
  { name: 'big', type: 'integer', nativeType: 'int8' },
  { name: 'mixed', type: 'unknown', nativeType: 'any' },
];

function row(i: number): unknown[] {
  return [
    i,
    `名前 ${i} 🙂`,
    '12345678901234567890.25',
    '2024-01-02T01:04:05.123456Z',
    i % 3 === 2 ? null : i % 2 === 0,
    i % 3 === 0 ? null : i % 3 === 1 ? '' : 'note',
    i % 4 === 0 ? { nested: { list: [1, 'two', null, true] }, n: 1.5 } : null,
    '9007199254740993',
    i % 2 === 0 ? 1 : 'one',
  ];
}

test('columns read back every cell as it was: nulls apart from empty strings and zero, text stays text, mixed columns keep their cells', () => {
  const rows = [...Array.from({ length: 12 }, (_, i) => row(i)), [null, '', null, null, null, null, null, null, null]];
  rows[12]![0] = 0;
  const data = encodeColumns(rows, COLUMNS.length);
  assert.is(findColumnsProblem(data, COLUMNS.length), null);
  assert.equal(data.columns.map((c) => c.kind), ['number', 'text', 'text', 'text', 'boolean', 'text', 'cells', 'text', 'cells']);
  const reader = new ColumnReader(data);
  assert.equal(reader.rows(), rows);
  assert.is(reader.get(12, 0), 0);
  assert.is(reader.get(0, 5), null);
  assert.is(reader.get(1, 5), '');
  assert.is(reader.get(2, 4), null);
  assert.is(reader.get(0, 4), true);
  assert.is(reader.get(1, 4), false);
});

test('an empty result and a column of nulls only are columns too', () => {
  assert.equal(new ColumnReader(encodeColumns([], 3)).rows(), []);
  const allNull = encodeColumns([[null], [null]], 1);
  assert.is(findColumnsProblem(allNull, 1), null);
  assert.equal(new ColumnReader(allNull).rows(), [[null], [null]]);
});

function problemOf(mutate: (data: ResultColumns) => void) {
  const data = encodeColumns(Array.from({ length: 6 }, (_, i) => row(i)), COLUMNS.length);
  mutate(data);
  return findColumnsProblem(data, COLUMNS.length);
}

test('columns that a reader could not rely on are named with the column and row', () => {
  assert.is(problemOf(() => {}), null);
  assert.is(problemOf((d) => d.columns.pop())?.reason, 'WRONG_WIDTH');
  assert.is(problemOf((d) => (d.rowCount = 7))?.reason, 'WRONG_LENGTH');
  assert.is(problemOf((d) => (d.rowCount = -1))?.reason, 'NOT_COLUMNS');
  const text = (d: ResultColumns) => d.columns[1] as Extract<ResultColumns['columns'][number], { kind: 'text' }>;
  assert.equal(problemOf((d) => ([text(d).ends[2], text(d).ends[3]] = [text(d).ends[3]!, text(d).ends[2]!])), { reason: 'BAD_OFFSETS', column: 1, row: 3, message: 'column 1, row 3: the end offsets go backwards' });
  assert.is(problemOf((d) => (text(d).text += 'x'))?.reason, 'BAD_OFFSETS');
  assert.is(problemOf((d) => (text(d).nulls = new Uint8Array(5)))?.reason, 'WRONG_LENGTH');
  assert.is(problemOf((d) => ((d.columns[0] as { values: Float64Array }).values[4] = Number.NaN))?.row, 4);
  assert.is(problemOf((d) => ((d.columns[0] as { values: unknown }).values = [0, 1, 2, 3, 4, 5]))?.reason, 'WRONG_LENGTH');
  assert.is(problemOf((d) => ((d.columns[4] as { values: Uint8Array }).values[1] = 3))?.reason, 'BAD_VALUE');
  assert.equal(problemOf((d) => ((d.columns[6] as { values: unknown[] }).values[2] = new Date())), { reason: 'UNSAFE_CELL', column: 6, row: 2, message: 'column 6, row 2: is not JSON-safe' });
  assert.is(problemOf((d) => ((d.columns[6] as { values: unknown[] }).values[2] = 10n))?.reason, 'UNSAFE_CELL');
  assert.is(problemOf((d) => ((d.columns[3] as { kind: string }).kind = 'dates'))?.reason, 'NOT_COLUMNS');
});

function chatResultRouter(reply: () => unknown) {
  const logged: unknown[] = [];
  const logger = { debug() {}, info() {}, warn() {}, error: (_m: string, f?: unknown) => logged.push(f), file: null };
  const handlers = { 'chat.result': reply } as unknown as Handlers;
  const router = createRouter({ handlers, isLocked: () => false, logger });
  const open = () => router.dispatch('chat.result', { resultId: 'result-1' }, { host: 'test' });
  return { open, logged };
}

const stored = (data: ResultColumns) => ({ columns: COLUMNS, data, rowCount: data.rowCount, truncated: false, expiredAt: null });

test('chat.result (how the app opens every result) hands 100,000 rows on as columns, checked but not copied', async () => {
  const data = encodeColumns(Array.from({ length: 100_000 }, (_, i) => row(i)), COLUMNS.length);
  const { open } = chatResultRouter(() => stored(data));
  const answer = await open();
  assert.is(answer.ok, true);
  if (!answer.ok) return;
  const value = answer.value as { data: ResultColumns; rowCount: number };
  assert.is(value.data, data);
  assert.is(value.rowCount, 100_000);
});

test('chat.result answering a column of the wrong length gives INTERNAL and logs where, as query.run does for rows', async () => {
  const data = encodeColumns([row(0), row(1)], COLUMNS.length);
  (data.columns[0] as { values: Float64Array }).values = new Float64Array(1);
  const { open, logged } = chatResultRouter(() => stored(data));
  const answer = await open();
  assert.is(answer.ok, false);
  if (!answer.ok) assert.is(answer.error.code, 'INTERNAL');
  const text = JSON.stringify(logged);
  assert.match(text, /"path":\["data","columns",0\]/);
  assert.match(text, /WRONG_LENGTH/);
});

test.run();
