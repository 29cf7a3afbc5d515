import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { csvFileName, toCsv, toTsvFile } from '../../../../renderer/src/lib/chat-csv';

const cols = (...names: string[]) => names.map((name) => ({ name }));

test('a header row, then one line per row, CRLF line ends', () => {
  assert.is(toCsv(cols('country', 'customers'), [['USA', 13], ['Canada', 8]]), 'country,customers\r\nUSA,13\r\nCanada,8\r\n');
});

test('fields with commas, quotes, line breaks or edge spaces are quoted, quotes doubled', () => {
  const csv = toCsv(cols('name'), [['Rock, Pop'], ['say "hi"'], ['two\nlines'], [' padded']]);
  assert.is(csv, 'name\r\n"Rock, Pop"\r\n"say ""hi"""\r\n"two\nlines"\r\n" padded"\r\n');
});

test('nulls are empty fields; documents are compact JSON; booleans and big numbers stay exact', () => {
  const csv = toCsv(cols('a', 'b', 'c', 'd'), [[null, { x: [1, 2] }, true, '12345678901234567890']]);
  assert.is(csv, 'a,b,c,d\r\n,"{""x"":[1,2]}",true,12345678901234567890\r\n');
});

test('text that a spreadsheet would run as a formula is defused; negative numbers are not', () => {
  const csv = toCsv(cols('v'), [['=HYPERLINK("http://x")'], ['@SUM(A1)'], ['-12.50'], [-3], ['+1e5']]);
  assert.is(csv, 'v\r\n"\'=HYPERLINK(""http://x"")"\r\n\'@SUM(A1)\r\n-12.50\r\n-3\r\n+1e5\r\n');
});

test('column names are escaped like any field', () => {
  assert.is(toCsv(cols('a,b'), []), '"a,b"\r\n');
});

test('TSV: a header, one line per row split by tabs; commas and quotes need no quoting, tabs and line breaks do', () => {
  const tsv = toTsvFile(cols('name', 'total', 'note'), [['Rock, Pop', 12.5, 'say "hi"'], ['a\tb', null, 'two\nlines'], ['"quoted', true, { x: [1, 2] }]]);
  assert.is(tsv, 'name\ttotal\tnote\r\nRock, Pop\t12.5\tsay "hi"\r\n"a\tb"\t\t"two\nlines"\r\n"""quoted"\ttrue\t{"x":[1,2]}\r\n');
});

test('TSV: text a spreadsheet would run as a formula is defused, numbers written as text are not', () => {
  assert.is(toTsvFile(cols('v'), [['=1+1'], ['-12.50'], [-3]]), "v\r\n'=1+1\r\n-12.50\r\n-3\r\n");
});

test('file names are readable slugs with the date', () => {
  const day = new Date(2026, 2, 1);
  assert.is(csvFileName('How many customers per country?', day), 'how-many-customers-per-country-2026-03-01.csv');
  assert.is(csvFileName('Café Ümlaut', day), 'cafe-umlaut-2026-03-01.csv');
  assert.is(csvFileName('???', day), 'result-2026-03-01.csv');
});

test.run();
