import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cellKey, matchResult } from '../../../../engine/eval/match';

const unordered = (gold: unknown[][], actual: unknown[][]) => matchResult({ gold, actual, ordered: false });
const ordered = (gold: unknown[][], actual: unknown[][]) => matchResult({ gold, actual, ordered: true });

test('the same rows in another order match when order does not count', () => {
  const r = unordered([[1, 'a'], [2, 'b'], [3, 'c']], [[3, 'c'], [1, 'a'], [2, 'b']]);
  assert.is(r.outcome, 'exact');
});

test('rows are a multiset: a repeated row must be repeated as often', () => {
  assert.is(unordered([['x'], ['x'], ['y']], [['x'], ['y'], ['y']]).outcome, 'mismatch');
  assert.is(unordered([['x'], ['x'], ['y']], [['y'], ['x'], ['x']]).outcome, 'exact');
});

test('a different row count is a mismatch that says so', () => {
  const r = unordered([[1], [2]], [[1]]);
  assert.is(r.outcome, 'mismatch');
  assert.match(r.why, /1 row, gold has 2/);
});

test('columns are matched by permutation', () => {
  const r = unordered([['Ann', 32, 'Bolton'], ['Bob', 29, 'Leeds']], [[29, 'Leeds', 'Bob'], [32, 'Bolton', 'Ann']]);
  assert.is(r.outcome, 'exact');
});

test('columns that each match alone but not together as rows are a mismatch', () => {
  const r = unordered([['Ann', 1], ['Bob', 2]], [['Ann', 2], ['Bob', 1]]);
  assert.is(r.outcome, 'mismatch');
  assert.match(r.why, /no choice of them holds the gold rows/);
});

test('a missing column names the gold column and a value', () => {
  const r = unordered([['Ann', 1]], [['Ann', 7]]);
  assert.is(r.outcome, 'mismatch');
  assert.match(r.why, /gold column 2/);
});

test('fewer columns than gold is a mismatch', () => {
  assert.is(unordered([['Ann', 1]], [['Ann']]).outcome, 'mismatch');
});

test('gold columns found among more columns are a superset, reported apart from exact', () => {
  const r = unordered([['Ann'], ['Bob']], [[2, 'Bob', 'x'], [1, 'Ann', 'y']]);
  assert.is(r.outcome, 'superset');
  assert.match(r.why, /2 extra/);
});

test('row order counts when ordered', () => {
  assert.is(ordered([['a'], ['b'], ['c']], [['a'], ['b'], ['c']]).outcome, 'exact');
  const r = ordered([['a'], ['b'], ['c']], [['c'], ['b'], ['a']]);
  assert.is(r.outcome, 'mismatch');
  assert.match(r.why, /different order/);
});

test('ordered: the column that keeps the order is found even when another column holds the same values', () => {
  // Both result columns hold {1, 2}; only the second is in gold's order.
  assert.is(ordered([[1], [2]], [[2, 1], [1, 2]]).outcome, 'superset');
});

test('ties: rows tied on the sort column may come in another order', () => {
  // Gold: ORDER BY age, two teachers aged 29 in one order; the result has them the other way round.
  const gold = [['Vicente', 26], ['Gustaaf', 29], ['Joseph', 29], ['Lucy', 32]];
  const actual = [['Vicente', 26], ['Joseph', 29], ['Gustaaf', 29], ['Lucy', 32]];
  const r = ordered(gold, actual);
  assert.is(r.outcome, 'exact');
  assert.match(r.why, /ties/);
});

test('ties: a column that orders gold strictly is the key, so another order is wrong', () => {
  // Gold sorted by name (strictly); the result is sorted only by the tied column.
  const gold = [['Ann', 1], ['Bob', 1], ['Cid', 2]];
  const actual = [['Bob', 1], ['Ann', 1], ['Cid', 2]];
  assert.is(ordered(gold, actual).outcome, 'mismatch');
});

test('ties: the tied column must order the result the same way', () => {
  const gold = [['a', 1], ['b', 1], ['c', 2], ['d', 2]];
  const actual = [['c', 2], ['d', 2], ['a', 1], ['b', 1]];
  assert.is(ordered(gold, actual).outcome, 'mismatch');
});

test('numbers are rounded to 2 decimals: an integer equals the same float', () => {
  assert.is(unordered([[7]], [[7.0]]).outcome, 'exact');
  assert.is(unordered([[3.14159]], [[3.141]]).outcome, 'exact');
  assert.is(unordered([[3.14159]], [[3.15]]).outcome, 'mismatch');
  assert.is(unordered([[-0.001]], [[0]]).outcome, 'exact');
});

test('drivers: bigint and numeric or bigint text equal the gold numbers', () => {
  assert.is(unordered([[7, 12.5]], [[7n, '12.50']]).outcome, 'exact');
  assert.is(unordered([[7]], [['7']]).outcome, 'exact');
  assert.is(unordered([[25.333333]], [['25.3333333333333333']]).outcome, 'exact');
  // Beyond 2^53 the digits are compared exactly, not through a float.
  assert.is(unordered([['9007199254740993']], [[9007199254740993n]]).outcome, 'exact');
  assert.is(unordered([['9007199254740993']], [[9007199254740992n]]).outcome, 'mismatch');
});

test('strings are trimmed and otherwise compared exactly', () => {
  assert.is(unordered([['NJ']], [[' NJ\n']]).outcome, 'exact');
  assert.is(unordered([['nj']], [['NJ']]).outcome, 'mismatch');
});

test('timestamps compare as YYYY-MM-DD HH:MM:SS whatever form they come in', () => {
  const gold = [['2018-03-17 07:13:53']];
  assert.is(unordered(gold, [['2018-03-17T07:13:53']]).outcome, 'exact');
  assert.is(unordered(gold, [['2018-03-17T07:13:53.000Z']]).outcome, 'exact');
  // node-postgres gives a timestamp without time zone as a Date on the local clock.
  assert.is(unordered(gold, [[new Date(2018, 2, 17, 7, 13, 53)]]).outcome, 'exact');
  assert.is(unordered(gold, [[new Date(2018, 2, 17, 7, 13, 54)]]).outcome, 'mismatch');
});

test('NULL equals NULL (and undefined), and nothing else', () => {
  assert.is(unordered([[null, 1]], [[null, 1]]).outcome, 'exact');
  assert.is(unordered([[null]], [[undefined]]).outcome, 'exact');
  assert.is(unordered([[null]], [['']]).outcome, 'mismatch');
  assert.is(unordered([[null]], [[0]]).outcome, 'mismatch');
  assert.is(unordered([[null]], [['null']]).outcome, 'mismatch');
});

test('empty results match each other whatever their columns', () => {
  assert.is(unordered([], []).outcome, 'exact');
  assert.is(unordered([], [[1]]).outcome, 'mismatch');
});

test('cell keys: booleans are 1 and 0, JSON values by their text', () => {
  assert.is(cellKey(true), cellKey(1));
  assert.is(cellKey(false), cellKey('0'));
  assert.is(cellKey({ a: 1 }), cellKey({ a: 1 }));
  assert.is.not(cellKey('1.5'), cellKey('1.5x'));
});

test('a wide result with many look-alike columns is matched quickly', () => {
  // 60 columns over 300 rows, every column a different arrangement of the same 300 values, plus repeated columns:
  // the value test alone cannot tell them apart, so only pruning by partial rows keeps this fast.
  const rows = 300;
  const width = 60;
  const cell = (r: number, c: number) => (r * (c + 1) * 7919) % rows;
  const gold = Array.from({ length: rows }, (_, r) => [cell(r, 5), cell(r, 17), cell(r, 42)]);
  const actual = Array.from({ length: rows }, (_, r) => [...Array.from({ length: width }, (_, c) => cell(r, c)), cell(r, 5), cell(r, 5)]);
  const shuffled = actual.map((_, i) => actual[(i * 37) % rows]!);
  const started = performance.now();
  const r = unordered(gold, shuffled);
  const elapsed = performance.now() - started;
  assert.is(r.outcome, 'superset');
  assert.ok(elapsed < 2_000, `took ${elapsed.toFixed(0)} ms`);
});

test('a wide exact permutation of distinct columns is found', () => {
  const width = 40;
  const gold = Array.from({ length: 50 }, (_, r) => Array.from({ length: width }, (_, c) => `${r}-${c}`));
  const permutation = Array.from({ length: width }, (_, c) => (c * 7) % width);
  const actual = gold.map((row) => permutation.map((c) => row[c]));
  assert.is(unordered(gold, actual).outcome, 'exact');
});

test.run();
