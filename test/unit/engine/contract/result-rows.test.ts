import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { QueryResult, type ResultColumn, type RunResult } from '../../../../engine/contract/index';
import { MAX_CELL_DEPTH } from '../../../../engine/contract/result-rows';
import { createRouter, type Handlers } from '../../../../engine/router/router';

const COLUMNS: ResultColumn[] = [
  { name: 'id', type: 'integer', nativeType: 'int4' },
  { name: 'name', type: 'string', nativeType: 'text' },
  { name: 'amount', type: 'float', nativeType: 'float8' },
  { name: 'total', type: 'decimal', nativeType: 'numeric' },
  { name: 'ordered_at', type: 'timestamptz', nativeType: 'timestamptz' },
  { name: 'paid', type: 'boolean', nativeType: 'bool' },
  { name: 'note', type: 'string', nativeType: 'text' },
  { name: 'doc', type: 'json', nativeType: 'jsonb' },
  { name: 'tags', type: 'array', nativeType: '_text' },
  { name: 'owner', type: 'objectId', nativeType: 'objectId' },
];

function row(i: number): unknown[] {
  return [
    i,
    `name ${i}`,
    i / 7,
    '12345678901234567890.25',
    '2024-01-02T01:04:05.123456Z',
    i % 2 === 0,
    i % 3 === 0 ? null : 'note',
    i % 10 === 0 ? { nested: { list: [1, 'two', null, true] }, n: 1.5 } : null,
    ['a', 'b'],
    '65a1b2c3d4e5f60718293a4b',
  ];
}

function result(rows: unknown[][], extra: Record<string, unknown> = {}) {
  return { columns: COLUMNS, rows, rowCount: rows.length, truncated: false, rowLimit: 1000, elapsedMs: 3, ...extra };
}

/** The single issue a malformed result gets: where it is and why. */
function issueOf(rows: unknown[][]) {
  const parsed = QueryResult.safeParse(result(rows));
  assert.is(parsed.success, false, 'a malformed result was accepted');
  if (parsed.success) throw new Error('unreachable');
  assert.is(parsed.error.issues.length, 1);
  const issue = parsed.error.issues[0]!;
  return { path: issue.path, message: issue.message, reason: (issue as { params?: { reason?: string } }).params?.reason };
}

test('a valid 100,000 x 10 result passes, with its rows handed on as they are (not copied)', () => {
  const rows = Array.from({ length: 100_000 }, (_, i) => row(i));
  const parsed = QueryResult.parse(result(rows));
  assert.is(parsed.rows, rows);
  assert.is(parsed.rows.length, 100_000);
  assert.equal(parsed.rows[10], row(10));
});

test('a row narrower or wider than the columns is refused with WRONG_WIDTH at that row', () => {
  const narrow = [row(0), row(1), row(2).slice(0, 9)];
  assert.equal(issueOf(narrow), { path: ['rows', 2], message: 'row 2 has 9 cells for 10 columns', reason: 'WRONG_WIDTH' });
  const wide = [[...row(0), 'extra'], row(1)];
  assert.equal(issueOf(wide).reason, 'WRONG_WIDTH');
  assert.equal(issueOf(wide).path, ['rows', 0]);
});

test('a cell that is not JSON-safe is refused with UNSAFE_CELL at its row and column', () => {
  const bad: Array<[string, unknown]> = [
    ['a function', () => 1],
    ['a BigInt', 10n],
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a symbol', Symbol('s')],
    ['a Date (connectors send ISO text)', new Date(0)],
    ['a Map', new Map()],
    ['a Buffer (connectors send \\x hex)', Buffer.from('ab')],
    ['a BigInt deep in a JSON document', { a: [{ b: 1n }] }],
    ['a function in an array cell', ['ok', () => 1]],
  ];
  for (const [what, cell] of bad) {
    const cells = row(5);
    cells[3] = cell;
    const issue = issueOf([row(4), cells]);
    assert.equal(issue.path, ['rows', 1, 3], what);
    assert.is(issue.reason, 'UNSAFE_CELL', what);
    assert.match(issue.message, /^cell 3 of row 1 is not JSON-safe/, what);
  }
});

test('rows that are not arrays of rows, and documents nested without end, are refused', () => {
  assert.is(issueOf([row(0), 'not a row' as unknown as unknown[]]).reason, 'NOT_A_ROW');
  const parsed = QueryResult.safeParse(result({ length: 1 } as unknown as unknown[][]));
  assert.is(parsed.success, false);
  let deep: unknown = 'bottom';
  for (let i = 0; i <= MAX_CELL_DEPTH; i++) deep = { d: deep };
  const cells = row(0);
  cells[7] = deep;
  assert.equal(issueOf([cells]), { path: ['rows', 0, 7], message: `cell 7 of row 0 nests deeper than ${MAX_CELL_DEPTH} levels`, reason: 'TOO_DEEP' });
});

function queryRunRouter(reply: () => unknown) {
  const logged: unknown[] = [];
  const logger = { debug() {}, info() {}, warn() {}, error: (_m: string, f?: unknown) => logged.push(f), file: null };
  const handlers = { 'query.run': reply } as unknown as Handlers;
  const router = createRouter({ handlers, isLocked: () => false, logger });
  const run = () => router.dispatch('query.run', { token: 'token-0123456789' }, { host: 'test' });
  return { run, logged };
}

const runResult = (rows: unknown[][], extra: Record<string, unknown> = {}) => ({
  runId: 'r1',
  resultId: 'res1',
  sourceId: 's1',
  query: 'SELECT 1',
  result: result(rows, extra),
});

test('query.run answering a malformed result gives INTERNAL and logs where the rows are wrong, without the cell value', async () => {
  const cells = row(1);
  cells[0] = 12345678901234567890n;
  const { run, logged } = queryRunRouter(() => runResult([row(0), cells]));
  const answer = await run();
  assert.is(answer.ok, false);
  if (!answer.ok) assert.is(answer.error.code, 'INTERNAL');
  const text = JSON.stringify(logged);
  assert.match(text, /"path":\["result","rows",1,0\]/);
  assert.match(text, /UNSAFE_CELL/);
  assert.not.match(text, /12345678901234567890/);
});

test('query.run still strips fields the contract does not declare, around the rows', async () => {
  const rows = [row(0), row(1)];
  const { run } = queryRunRouter(() => ({ ...runResult(rows, { secretRef: 'keychain:pg-1' }), password: 'hunter2' }));
  const answer = await run();
  assert.is(answer.ok, true);
  if (!answer.ok) return;
  const value = answer.value as RunResult & Record<string, unknown>;
  assert.is(value.password, undefined);
  assert.is((value.result as unknown as Record<string, unknown>).secretRef, undefined);
  assert.not.match(JSON.stringify(value), /hunter2|keychain/);
  assert.equal(value.result.rows, rows);
});

test.run();
