import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assignTableNames, baseTableName, quoteIdent, quoteLiteral } from '../../../../../engine/connectors/files/names';

test('table names come from file names: lower case, words joined by underscores, data extensions dropped', () => {
  const cases: Array<[string, string]> = [
    ['/data/titanic.csv', 'titanic'],
    ['/data/weather.csv', 'weather'],
    ['/data/people.csv', 'people'],
    ['/data/alltypes_plain.parquet', 'alltypes_plain'],
    ['/data/alltypes_plain.snappy.parquet', 'alltypes_plain_snappy'],
    ['/data/example_rn.ndjson.gz', 'example_rn'],
    ['/data/uniform_encryption.parquet.encrypted', 'uniform_encryption'],
    ['/data/Sales Report (Q1 2024).CSV', 'sales_report_q1_2024'],
    ['/data/issue2628_中文.csv', 'issue2628_中文'],
    ['/data/Ｆｕｌｌｗｉｄｔｈ.csv', 'fullwidth'],
    ['/data/14167.json', 't_14167'],
    ['/data/---.csv', 'file'],
    ['/data/README.md', 'readme_md'],
    [`/data/${'x'.repeat(100)}.csv`, 'x'.repeat(60)],
  ];
  for (const [file, name] of cases) assert.is(baseTableName(file), name, file);
});

test('names are unique in order, and reserved words get a suffix', () => {
  const reserved = new Set(['select', 'table', 'order']);
  assert.equal(
    assignTableNames(['/a/example.csv', '/b/example.csv', '/c/Example.json', '/d/select.csv', '/e/order.parquet', '/f/example_2.csv'], reserved),
    ['example', 'example_2', 'example_3', 'select_file', 'order_file', 'example_2_2'],
  );
});

test('identifiers and literals are quoted so no name or path can break out of SQL', () => {
  assert.is(quoteIdent('we"ird'), '"we""ird"');
  assert.is(quoteLiteral("/tmp/o'clock.csv"), "'/tmp/o''clock.csv'");
});

test.run();
