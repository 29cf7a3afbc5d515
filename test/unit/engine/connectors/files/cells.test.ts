import { DuckDBInstance, type DuckDBConnection, type DuckDBInstance as Instance } from '@duckdb/node-api';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cellConverter, isoDate, isoInterval, normalizeType } from '../../../../../engine/connectors/files/cells';

let instance: Instance;
let connection: DuckDBConnection;
test.before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
test.after(() => {
  connection.closeSync();
  instance.closeSync();
});

/** The cell one SQL expression becomes, converted exactly as query results are. */
async function cell(expression: string): Promise<unknown> {
  const result = await connection.run(`SELECT ${expression}`);
  const chunk = (await result.fetchChunk())!;
  return cellConverter(result.columnType(0))(chunk.getColumnVector(0).getItem(0));
}

test('integers are numbers while they are exact in JavaScript, strings beyond 2^53', async () => {
  assert.is(await cell('9007199254740991::BIGINT'), 9007199254740991);
  assert.is(await cell('9007199254740992::BIGINT'), '9007199254740992');
  assert.is(await cell('-9007199254740993::BIGINT'), '-9007199254740993');
  assert.is(await cell('18446744073709551615::UBIGINT'), '18446744073709551615');
  assert.is(await cell('(-170141183460469231731687303715884105727)::HUGEINT'), '-170141183460469231731687303715884105727');
  assert.is(await cell('7::TINYINT'), 7);
});

test('a NULL is null whatever the column type', async () => {
  for (const type of ['BOOLEAN', 'TINYINT', 'INTEGER', 'UINTEGER', 'BIGINT', 'UBIGINT', 'HUGEINT', 'FLOAT', 'DOUBLE', 'VARCHAR', 'JSON', 'DATE', 'TIMESTAMP', 'DECIMAL(9,2)', 'INTEGER[]']) {
    assert.is(await cell(`NULL::${type}`), null, type);
  }
});

test('decimals keep every digit as strings; NaN and infinities survive JSON as strings', async () => {
  assert.is(await cell('0.1::DECIMAL(38,37)'), '0.1000000000000000000000000000000000000');
  assert.is(await cell('(-12.5)::DECIMAL(5,1)'), '-12.5');
  assert.is(await cell(`'nan'::FLOAT`), 'NaN');
  assert.is(await cell(`'-inf'::DOUBLE`), '-Infinity');
  assert.is(await cell('0.25::FLOAT'), 0.25);
});

test('dates and times are ISO-8601, including BC dates, infinities and nanoseconds', async () => {
  assert.is(await cell(`DATE '1970-01-01'`), '1970-01-01');
  assert.is(await cell(`DATE '0044-03-15 (BC)'`), '-000043-03-15');
  assert.is(await cell(`'infinity'::DATE`), 'infinity');
  assert.is(await cell(`'-infinity'::DATE`), '-infinity');
  assert.is(await cell(`TIMESTAMP '1969-12-31 23:59:59.999999'`), '1969-12-31T23:59:59.999999');
  assert.is(await cell(`TIMESTAMP_MS '2020-05-06 07:08:09.120'`), '2020-05-06T07:08:09.12');
  assert.is(await cell(`TIMESTAMP_S '2020-05-06 07:08:09'`), '2020-05-06T07:08:09');
  assert.is(await cell(`TIMESTAMP_NS '2020-05-06 07:08:09.123456789'`), '2020-05-06T07:08:09.123456789');
  assert.is(await cell(`TIMESTAMPTZ '2020-05-06 07:08:09+02'`), '2020-05-06T05:08:09Z');
  assert.is(await cell(`'-infinity'::TIMESTAMP`), '-infinity');
  assert.is(await cell(`TIME '23:59:59.5'`), '23:59:59.5');
  assert.is(await cell(`'10:00:00+05:30'::TIMETZ`), '10:00:00+05:30');
  assert.is(await cell(`INTERVAL '1 year 2 months 3 days 04:05:06.7'`), 'P1Y2M3DT4H5M6.7S');
  assert.is(await cell(`INTERVAL '-90 minutes'`), 'PT-1H-30M');
  assert.is(await cell(`INTERVAL '0 seconds'`), 'PT0S');
});

test('binary is \\x hex; lists, structs and maps are JSON with converted members', async () => {
  assert.is(await cell(`'\\x00\\xFFab'::BLOB`), '\\x00ff6162');
  assert.equal(await cell(`[[1, NULL], []]`), [[1, null], []]);
  assert.equal(await cell(`[9007199254740993]::BIGINT[]`), ['9007199254740993']);
  assert.equal(await cell(`{'when': DATE '2024-01-02', 'tags': ['a']}`), { when: '2024-01-02', tags: ['a'] });
  assert.equal(await cell(`MAP {1: 'one', 2: 'two'}`), { '1': 'one', '2': 'two' });
  assert.equal(await cell(`[1, 2, 3]::INTEGER[3]`), [1, 2, 3]);
  assert.equal(await cell(`union_value(n := 5)::UNION(n INTEGER, s VARCHAR)`), 5);
  assert.equal(await cell(`'{"a": [1, {"b": null}]}'::JSON`), { a: [1, { b: null }] });
  assert.is(await cell(`'not json'`), 'not json');
  assert.is(await cell(`'0b1c7c07-8a0d-4bd1-9f3e-0c4f8e5f2d11'::UUID`), '0b1c7c07-8a0d-4bd1-9f3e-0c4f8e5f2d11');
  assert.is(await cell(`'101'::BIT`), '101');
  assert.is(await cell('NULL'), null);
});

test('DuckDB type names map onto the normalized types', () => {
  const cases: Array<[string, string]> = [
    ['BIGINT', 'integer'],
    ['UHUGEINT', 'integer'],
    ['DECIMAL(18,3)', 'decimal'],
    ['DOUBLE', 'float'],
    ['VARCHAR', 'string'],
    ['JSON', 'json'],
    ['BOOLEAN', 'boolean'],
    ['DATE', 'date'],
    ['TIME WITH TIME ZONE', 'time'],
    ['TIMESTAMP_NS', 'timestamp'],
    ['TIMESTAMP WITH TIME ZONE', 'timestamptz'],
    ['INTERVAL', 'interval'],
    ['BLOB', 'binary'],
    ['GEOMETRY', 'binary'],
    ['UUID', 'uuid'],
    ['INTEGER[]', 'array'],
    ['VARCHAR[][][]', 'array'],
    ['INTEGER[3]', 'array'],
    ['STRUCT("a" INTEGER)', 'object'],
    ['STRUCT("a" INTEGER)[]', 'array'],
    ["ENUM('a', 'b')", 'string'],
    ['MAP(VARCHAR, INTEGER)', 'object'],
    ['UNION("a" INTEGER)', 'unknown'],
    ['"NULL"', 'null'],
    ['SOMETHING_NEW', 'unknown'],
  ];
  for (const [native, normalized] of cases) assert.is(normalizeType(native), normalized, native);
});

test('isoDate and isoInterval agree with JavaScript and ISO-8601 at the edges', () => {
  for (const ms of [0, -1, 951_782_400_000, -62_135_596_800_000, 253_402_300_799_000]) {
    const days = Math.floor(ms / 86_400_000);
    assert.is(isoDate(days), new Date(days * 86_400_000).toISOString().slice(0, 10), String(ms));
  }
  assert.is(isoDate(2_932_897), '+010000-01-01');
  assert.is(isoInterval(14, 0, 0n), 'P1Y2M');
  assert.is(isoInterval(0, -3, 1_500_000n), 'P-3DT1.5S');
});

test.run();
