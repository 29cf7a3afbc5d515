import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateDuckdbQuery } from '../../../../../engine/connectors/files/guardrail';
import { guardrailAsserts } from '../../../../support/guardrail';

/**
 * Constant calls DuckDB would fold into a huge value while planning (during
 * the preview, before approval) are refused by check, with the size; calls on
 * columns, and values the preview can afford, are not.
 */
const check = (sql: string) => validateDuckdbQuery(sql, { tables: ['titanic'], database: null });
const { assertRefused, assertAllowed } = guardrailAsserts(check);

test('the folding bombs of issue 9 are refused with PREVIEW_LIMIT and the size they would build', async () => {
  const verdict = await assertRefused("SELECT length(repeat('x', 1500000000))", 'PREVIEW_LIMIT');
  assert.match(verdict.reasons[0]!.message, /about 1\.4 GB just to check the query \(the preview allows 256 MB\)/);
  await assertRefused("SELECT * FROM titanic WHERE Name = repeat('x', 400000000)", 'PREVIEW_LIMIT');
});

test('sizes written as arithmetic on constants are folded too', async () => {
  for (const sql of [
    "SELECT repeat('ab', 15 * 100000000::BIGINT)",
    "SELECT repeat('x', 1000000000 + 1)",
    "SELECT lpad('a', 2000000000, 'x')",
    "SELECT rpad('a', CAST(2000000000 AS BIGINT), 'x')",
    'SELECT list_sum(range(200000000))',
    'SELECT generate_series(0, 1000000000, 2)',
    'SELECT list_resize([1], 100000000)',
    'EXPLAIN SELECT length(repeat(\'x\', 1500000000))',
  ]) {
    await assertRefused(sql, 'PREVIEW_LIMIT', sql);
  }
});

test('values the preview can afford, calls on columns and table functions are not refused for size', async () => {
  for (const sql of [
    "SELECT repeat('x', 200000000)",
    "SELECT repeat('-', 80), lpad(Name, 40, '.') FROM titanic",
    'SELECT repeat(Name, 1000000000) FROM titanic',
    'SELECT count(*) FROM range(1000000000000)',
    'SELECT range(10, 0, -1), generate_series(1, 5)',
  ]) {
    await assertAllowed(sql, sql);
  }
});

test.run();
