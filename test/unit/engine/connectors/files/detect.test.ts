import zlib from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classify, extensionHint } from '../../../../../engine/connectors/files/detect';
import { EngineError } from '../../../../../engine/errors';

const text = (s: string) => Buffer.from(s, 'utf8');

function refusal(head: Buffer, file: string): EngineError {
  try {
    classify(head, file);
  } catch (error) {
    assert.instance(error, EngineError);
    return error as EngineError;
  }
  throw new Error(`${file} was accepted`);
}

test('content decides the format, whatever the extension says', () => {
  const cases: Array<[Buffer, string, string, string | null]> = [
    [text('a,b\n1,2\n'), 'x.json', 'csv', null],
    [Buffer.from('PAR1\x15\x04', 'latin1'), 'x.dat', 'parquet', null],
    [text('[{"a":1}]'), 'x.txt', 'json', 'array'],
    [text('{"a":1}\n{"a":2}\n'), 'x.json', 'ndjson', 'newline_delimited'],
    [text('{\n  "a": 1\n}\n'), 'x.json', 'json', 'unstructured'],
    [text('{"a":1} {"a":2}\n'), 'x.ndjson', 'ndjson', 'unstructured'],
    [text('  \n\t[1, 2]'), 'x', 'json', 'array'],
    [text('a\tb\n1\t2\n'), 'x.tsv', 'tsv', null],
    [text('[x],[y]\n1,2\n'), 'x.csv', 'csv', null],
    [zlib.gzipSync('{"a":1}\n{"a":2}\n'), 'x.log', 'ndjson', 'newline_delimited'],
    [zlib.gzipSync('a,b\n1,2\n'), 'x.csv.gz', 'csv', null],
  ];
  for (const [head, file, format, layout] of cases) {
    const detection = classify(head, file);
    assert.is(detection.format, format, `${file}: ${head.subarray(0, 12).toString('latin1')}`);
    assert.is(detection.jsonLayout, layout, file);
  }
  assert.is(classify(zlib.gzipSync('a\n1\n'), 'x.csv.gz').compression, 'gzip');
});

test('byte-order marks are recognised, and UTF-16 without one by its NUL pattern', () => {
  assert.is(classify(Buffer.from('\xef\xbb\xbfa,b\n', 'latin1'), 'x.csv').bom, 'utf-8');
  assert.is(classify(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,2\n', 'utf16le')]), 'x.csv').bom, 'utf-16le');
  assert.is(classify(Buffer.from('name,age\n1,2\n', 'utf16le'), 'x.csv').bom, 'utf-16le');
  const be = Buffer.from('name,age\n1,2\n', 'utf16le').swap16();
  assert.is(classify(be, 'x.csv').bom, 'utf-16be');
  // A lone NUL in text is data, not binary (DuckDB reads it).
  assert.is(classify(Buffer.from('a|b\nx\0y|z\n', 'latin1'), 'x.csv').format, 'csv');
});

test('empty, encrypted and non-data files are refused with what is wrong', () => {
  assert.match(refusal(Buffer.alloc(0), '/d/empty.csv').message, /^empty\.csv is empty \(0 bytes\)/);
  assert.match(refusal(text(' \n\t\n'), '/d/blank.json').message, /^blank\.json holds only whitespace/);
  const encrypted = refusal(Buffer.from('PARE\x00\x01', 'latin1'), '/d/secret.parquet');
  assert.is(encrypted.code, 'UNSUPPORTED');
  assert.is(encrypted.message, 'secret.parquet: Parquet file is encrypted; PolyStoreIQ cannot read encrypted Parquet. Export an unencrypted copy.');
  assert.match(refusal(Buffer.from('PK\x03\x04rest', 'latin1'), '/d/book.xlsx').message, /ZIP archive \(an Excel \.xlsx workbook is one\)/);
  assert.match(refusal(Buffer.from('%PDF-1.7', 'latin1'), '/d/report.csv').message, /report\.csv is a PDF document/);
  assert.match(refusal(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]), '/d/bad.gz').message, /looks gzip-compressed but cannot be decompressed/);
  assert.match(refusal(zlib.gzipSync(Buffer.from('PAR1xxxx', 'latin1')), '/d/x.parquet.gz').message, /gzip-compressed Parquet file/);
  assert.match(refusal(Buffer.from(Array.from({ length: 100 }, (_, i) => i % 9)), '/d/noise.csv').message, /holds binary data/);
});

test('the extension hint ignores compression suffixes', () => {
  assert.is(extensionHint('/a/b/events.ndjson.gz'), 'ndjson');
  assert.is(extensionHint('/a/b/T.TSV'), 'tsv');
  assert.is(extensionHint('/a/b/LICENSE'), '');
});

test.run();
