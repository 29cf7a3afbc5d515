import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createFilesConnector } from '../../../../../engine/connectors/files/connector';
import { checkFiles, importFiles, type ImportOptions } from '../../../../../engine/connectors/files/import';
import type { FileImportResult, FileProvenance } from '../../../../../engine/connectors/files/provenance';
import { FileProvenance as FileProvenanceSchema, ImportReport } from '../../../../../engine/connectors/files/provenance';
import type { ConnectionSpec } from '../../../../../engine/connectors/types';
import { CancelledError, TimeoutError } from '../../../../../engine/errors';
import { tempDir, testdataDir } from '../../../../support/tmp';
import { SourceSettings } from '../../../../../engine/contract/index';

const DATA = path.join(testdataDir, 'files');
const TITANIC = path.join(DATA, 'duckdb-csv/titanic.csv');
const ALLTYPES = path.join(DATA, 'parquet-testing/data/alltypes_plain.parquet');

const dirs: Array<{ remove(): void }> = [];
function folder(): string {
  const dir = tempDir('polystore-files-import-');
  dirs.push(dir);
  return dir.path;
}
test.after(() => dirs.forEach((d) => d.remove()));

function specFor(paths: string[], workDir = folder()): ConnectionSpec {
  return {
    sourceId: 'src',
    type: 'file',
    connection: { paths },
    password: null,
    settings: SourceSettings.parse({ statementTimeoutMs: 10_000, rowLimit: 1000, allowSampleValues: false, sampleSize: 1000 }),
    workDir,
  };
}

const never = () => new AbortController().signal;
const run = (spec: ConnectionSpec, options: Partial<ImportOptions> = {}) => importFiles(spec, { signal: never(), ...options });

function provenance(result: FileImportResult | undefined): FileProvenance {
  if (!result?.ok) throw new Error(`expected an import, got ${JSON.stringify(result)}`);
  return result.provenance;
}

async function query(spec: ConnectionSpec, sql: string): Promise<unknown[][]> {
  const connector = createFilesConnector();
  try {
    return (await connector.execute(spec, sql, { timeoutMs: 10_000, maxRows: 1000, signal: never() })).rows;
  } finally {
    await connector.close();
  }
}

function write(dir: string, name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

test('formats are recognised by content: CSV named .json, Parquet named .dat, gzipped NDJSON without .gz, JSON named .csv', async () => {
  const dir = folder();
  const csvAsJson = write(dir, 'sales.json', 'region,amount\nnorth,10\nsouth,20\n');
  const parquetAsDat = path.join(dir, 'numbers.dat');
  fs.copyFileSync(ALLTYPES, parquetAsDat);
  const gzNdjson = write(dir, 'events.log', zlib.gzipSync('{"id":1,"kind":"a"}\n{"id":2,"kind":"b"}\n{"id":3,"kind":"c"}\n'));
  const jsonAsCsv = write(dir, 'people.csv', '[{"name":"Ada","born":1815},{"name":"Alan","born":1912}]');
  const spec = specFor([csvAsJson, parquetAsDat, gzNdjson, jsonAsCsv]);
  const report = ImportReport.parse(await run(spec));
  const [sales, numbers, events, people] = report.files.map(provenance);
  assert.equal([sales!.format, sales!.table, sales!.rowCount], ['csv', 'sales', 2]);
  assert.equal([numbers!.format, numbers!.kind, numbers!.table, numbers!.rowCount], ['parquet', 'view', 'numbers', 8]);
  assert.equal([events!.format, events!.compression, events!.rowCount], ['ndjson', 'gzip', 3]);
  assert.equal(events!.dialect, { kind: 'json', layout: 'newline_delimited' });
  assert.equal([people!.format, people!.rowCount], ['json', 2]);
  assert.equal(await query(spec, 'SELECT sum(amount) FROM sales'), [[30]]);
  assert.equal(await query(spec, 'SELECT kind FROM events_log ORDER BY id'), [['a'], ['b'], ['c']]);
  assert.equal(await query(spec, "SELECT born FROM people WHERE name = 'Alan'"), [[1912]]);
});

test('files that are none of CSV, JSON or Parquet fail with what they are, and the other files still import', async () => {
  const dir = folder();
  const xlsx = write(dir, 'budget.xlsx', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200, 1)]));
  const sqlite = write(dir, 'app.csv', Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(200, 0)]));
  const binary = write(dir, 'blob.csv', Buffer.from(Array.from({ length: 400 }, (_, i) => (i * 7) % 32)));
  const report = await run(specFor([xlsx, TITANIC, sqlite, binary]));
  const [a, b, c, d] = report.files;
  assert.is(a!.ok, false);
  if (!a!.ok) assert.match(a!.error.message, /budget\.xlsx is a ZIP archive \(an Excel \.xlsx workbook is one\)/);
  assert.is(provenance(b).table, 'titanic');
  if (!c!.ok) assert.match(c!.error.message, /app\.csv is an SQLite database, not a CSV, JSON or Parquet file/);
  else assert.unreachable('SQLite imported');
  if (!d!.ok) assert.match(d!.error.message, /blob\.csv does not look like a CSV, JSON or Parquet file/);
  else assert.unreachable('binary imported');
});

test('provenance: size, modification time, streamed sha256, detected dialect and column types', async () => {
  const report = await run(specFor([TITANIC]));
  const p = FileProvenanceSchema.parse(provenance(report.files[0]));
  const stat = fs.statSync(TITANIC);
  assert.is(p.path, TITANIC);
  assert.is(p.sizeBytes, stat.size);
  assert.is(p.mtimeMs, stat.mtimeMs);
  assert.is(p.modifiedAt, stat.mtime.toISOString());
  assert.is(p.sha256, createHash('sha256').update(fs.readFileSync(TITANIC)).digest('hex'));
  assert.ok(Date.parse(p.importedAt) <= Date.now());
  assert.equal([p.format, p.encoding, p.transcoded, p.compression], ['csv', 'utf-8', false, 'none']);
  assert.equal(p.dialect, {
    kind: 'csv',
    delimiter: ',',
    quote: '"',
    escape: '"',
    newline: '\\n',
    header: true,
    comment: '',
    skipRows: 0,
    dateFormat: null,
    timestampFormat: null,
    strict: true,
  });
  assert.equal(p.columns.slice(0, 6), [
    { name: 'PassengerId', type: 'integer', nativeType: 'BIGINT' },
    { name: 'Survived', type: 'integer', nativeType: 'BIGINT' },
    { name: 'Pclass', type: 'integer', nativeType: 'BIGINT' },
    { name: 'Name', type: 'string', nativeType: 'VARCHAR' },
    { name: 'Gender', type: 'string', nativeType: 'VARCHAR' },
    { name: 'Age', type: 'float', nativeType: 'DOUBLE' },
  ]);
});

test('Latin-1, Shift-JIS and UTF-16 files are transcoded to UTF-8 and their text reads correctly', async () => {
  const files = ['encodings/latin1.csv', 'encodings/shift_jis.csv', 'encodings/utf16.csv', 'error/banklist.csv'].map((f) => path.join(DATA, 'duckdb-csv', f));
  const spec = specFor(files);
  const [latin1, sjis, utf16, banks] = (await run(spec)).files.map(provenance);
  assert.equal([latin1!.encoding, latin1!.transcoded], ['windows-1252', true]);
  assert.match(latin1!.notes.join(' '), /not UTF-8 \(the first non-UTF-8 byte is at byte 13\); it was read as Latin-1/);
  assert.equal(await query(spec, 'SELECT name, age FROM latin1 LIMIT 2'), [
    ['José Álvarez', 30],
    ['Müller', 25],
  ]);
  assert.is(sjis!.encoding, 'shift_jis');
  assert.equal(sjis!.columns.map((c) => c.name), ['名前', '年齢']);
  assert.equal(await query(spec, 'SELECT "名前", "年齢" FROM shift_jis LIMIT 3'), [
    ['名前', 25],
    ['山田', 30],
    ['佐藤', 28],
  ]);
  assert.is(utf16!.encoding, 'utf-16le');
  assert.equal(await query(spec, 'SELECT name FROM utf16 LIMIT 1'), [['José Álvarez']]);
  // The FDIC header cells end in Latin-1 no-break spaces, which DuckDB trims once they are UTF-8.
  assert.equal(banks!.columns.map((c) => c.name).slice(0, 3), ['Bank Name', 'City', 'State']);
  assert.equal(await query(spec, 'SELECT count(*) FROM banklist WHERE "Bank Name" IS NOT NULL'), [[568]]);
});

test('a UTF-8 file with a few broken bytes keeps its UTF-8 text and marks the broken bytes', async () => {
  const dir = folder();
  const file = write(dir, 'cities.csv', Buffer.concat([Buffer.from('city,country\nZürich,CH\nBad', 'utf8'), Buffer.from([0xff]), Buffer.from('Name,XX\n', 'utf8')]));
  const spec = specFor([file]);
  const p = provenance((await run(spec)).files[0]);
  assert.equal([p.encoding, p.transcoded], ['utf-8', true]);
  assert.match(p.notes.join(' '), /UTF-8 with invalid bytes \(the first at byte 27\); they were replaced/);
  assert.equal(await query(spec, 'SELECT city FROM cities ORDER BY country'), [['Zürich'], ['Bad\uFFFDName']]);
});

test('ragged rows and mixed line endings are read leniently, with a note, instead of failing', async () => {
  const dir = folder();
  const ragged = write(dir, 'ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n');
  const spec = specFor([ragged, path.join(DATA, 'duckdb-csv/test/mixed_line_endings.csv')]);
  const [r, m] = (await run(spec)).files.map(provenance);
  assert.is(r!.rowCount, 3);
  assert.equal(await query(spec, 'SELECT a, b, c FROM ragged ORDER BY a'), [
    [1, 2, 3],
    [4, 5, null],
    [6, 7, 8],
  ]);
  assert.equal([m!.rowCount, (m!.dialect as { strict: boolean }).strict], [3, false]);
  assert.match(m!.notes.join(' '), /read leniently/);
});

test('malformed and truncated JSON and unterminated quotes fail with the line, and the other files still import', async () => {
  const dir = folder();
  const truncated = write(dir, 'cut.json', '[{"a": 1}, {"a": 2}, {"a"');
  const quotes = write(dir, 'quotes.csv', 'id,text\n1,"fine"\n2,"never closed\n3,"x"\n');
  const report = await run(specFor([truncated, TITANIC, path.join(DATA, 'duckdb-json/unterminated_quotes.ndjson'), quotes]));
  const [cut, titanic, unterminated, q] = report.files;
  if (cut!.ok) assert.unreachable('truncated JSON imported');
  else {
    assert.is(cut!.error.code, 'VALIDATION');
    assert.match(cut!.error.message, /^cut\.json: malformed JSON at /);
  }
  assert.is(provenance(titanic).rowCount, 891);
  if (unterminated!.ok) assert.unreachable('unterminated JSON imported');
  else {
    assert.is(unterminated!.error.message, 'unterminated_quotes.ndjson: malformed JSON at line 4 (byte 26 of that line): unexpected control character in string.');
    assert.equal(unterminated!.error.details, { field: 'paths', kind: 'MALFORMED_JSON', line: 4, byteInRecord: 26 });
  }
  // DuckDB's lenient mode takes the unterminated quote to the end of the file: the rows are there, not lost.
  if (q!.ok) assert.ok(q!.provenance.rowCount >= 1);
  else assert.match(q!.error.message, /quotes\.csv: could not be read as CSV/);
});

test('a truncated gzip file fails with what is wrong, found while streaming past the first 64 KB', async () => {
  const dir = folder();
  const lines = Array.from({ length: 40_000 }, (_, i) => JSON.stringify({ id: i, note: `row ${i} ${(i * 7919) % 10007}` })).join('\n');
  const whole = zlib.gzipSync(lines);
  assert.ok(whole.length > 128 * 1024);
  const file = write(dir, 'events.ndjson.gz', whole.subarray(0, Math.floor(whole.length / 2)));
  const [result] = (await run(specFor([file]))).files;
  if (result!.ok) assert.unreachable('truncated gzip imported');
  else {
    assert.is(result!.error.code, 'VALIDATION');
    assert.is(result!.error.message, 'events.ndjson.gz looks gzip-compressed but cannot be decompressed: unexpected end of file.');
  }
});

test('the size limit is checked with stat before anything is read', async () => {
  const dir = folder();
  // A sparse 6 GB file: reading (or hashing) it would take many seconds; refusing it must not.
  const huge = path.join(dir, 'huge.csv');
  fs.writeFileSync(huge, 'a,b\n');
  fs.truncateSync(huge, 6 * 1024 ** 3);
  const small = write(dir, 'small.csv', 'a,b\n1,2\n');
  const started = performance.now();
  const report = await run(specFor([huge, small]));
  assert.ok(performance.now() - started < 3_000, 'rejected without reading');
  const [h, s] = report.files;
  if (h!.ok) assert.unreachable('6 GB file imported');
  else {
    assert.is(h!.error.code, 'VALIDATION');
    assert.is(h!.error.message, 'huge.csv is 6 GB, over the 5 GB limit for one file. Split it into smaller files or raise the limit in Settings.');
    assert.equal(h!.error.details?.kind, 'TOO_LARGE');
  }
  assert.is(provenance(s).rowCount, 1);
  const limited = await run(specFor([small]), { sizeLimitBytes: 4 });
  assert.match(limited.files[0]!.ok ? '' : limited.files[0]!.error.message, /small\.csv is 8 bytes, over the 4 bytes limit/);
});

test('missing files, folders and files listed twice are reported per file', async () => {
  const dir = folder();
  const report = await run(specFor([path.join(dir, 'gone.csv'), dir, TITANIC, TITANIC]));
  const messages = report.files.map((f) => (f.ok ? `ok ${f.provenance.table}` : f.error.message));
  assert.equal(messages, [
    `gone.csv was not found at ${path.join(dir, 'gone.csv')}; it may have been moved or deleted.`,
    `${dir} is a folder; choose the files inside it.`,
    'ok titanic',
    'titanic.csv is listed twice; it is imported once.',
  ]);
});

test('table names are sanitised and unique; a name DuckDB would glob is read literally', async () => {
  const dir = folder();
  const a = write(dir, 'Sales Report (2024).csv', 'x\n1\n');
  const sub = path.join(dir, 'sub');
  fs.mkdirSync(sub);
  const b = write(sub, 'sales_report_2024.csv', 'x\n2\n');
  const c = write(dir, 'select.csv', 'x\n3\n');
  const d = write(dir, 'data[1]*.csv', 'x\n4\n');
  const pq = path.join(dir, 'cols?[a].parquet');
  fs.copyFileSync(ALLTYPES, pq);
  const e = write(dir, '2024.csv', 'x\n5\n');
  const spec = specFor([a, b, c, d, pq, e]);
  const tables = (await run(spec)).files.map((f) => provenance(f).table);
  assert.equal(tables, ['sales_report_2024', 'sales_report_2024_2', 'select_file', 'data_1', 'cols_a', 't_2024']);
  // The Parquet view reads through a link beside the snapshot; importing again replaces both.
  const links = () => fs.readdirSync(spec.workDir).filter((n) => n.endsWith('.parquet'));
  assert.is(links().length, 1);
  await run(spec);
  assert.is(links().length, 1);
  assert.equal(fs.readdirSync(spec.workDir).filter((n) => n.endsWith('.duckdb')).length, 1);
  assert.equal(await query(spec, 'SELECT (SELECT x FROM sales_report_2024_2) + (SELECT x FROM data_1) + (SELECT count(*) FROM cols_a)'), [[14]]);
});

test('changed files are detected by size and time, then by hash; a touched file is not a change', async () => {
  const dir = folder();
  const file = write(dir, 'stock.csv', 'item,qty\napple,1\npear,2\n');
  const spec = specFor([file]);
  const first = provenance((await run(spec)).files[0]);
  const check = async () => (await checkFiles([first], { signal: never() }))[0]!;
  assert.equal([(await check()).status, (await check()).needsReimport], ['unchanged', false]);

  const later = new Date(Date.now() + 5_000);
  fs.utimesSync(file, later, later);
  const touched = await check();
  assert.equal([touched.status, touched.needsReimport, touched.sha256], ['touched', false, first.sha256]);

  fs.writeFileSync(file, 'item,qty\napple,1\npear,2\nplum,3\n');
  const changed = await check();
  assert.equal([changed.status, changed.needsReimport], ['changed', true]);
  assert.match(changed.message, /stock\.csv changed on disk since it was imported/);
  // Same size, same time, different bytes: only a hash check notices.
  fs.writeFileSync(file, 'item,qty\napple,1\npear,2\nplum,4\n');
  const stat = fs.statSync(file);
  const sameStat = { ...first, sizeBytes: stat.size, mtimeMs: stat.mtimeMs };
  assert.is((await checkFiles([sameStat], { signal: never() }))[0]!.status, 'unchanged');
  assert.is((await checkFiles([sameStat], { signal: never(), verifyHash: true }))[0]!.status, 'changed');

  // Re-importing picks the new data up, even through a connector that had the old snapshot open.
  const connector = createFilesConnector();
  try {
    const before = await connector.execute(spec, 'SELECT count(*) FROM stock', { timeoutMs: 5_000, maxRows: 1, signal: never() });
    assert.equal(before.rows, [[2]]);
    const second = provenance((await run(spec)).files[0]);
    assert.is.not(second.sha256, first.sha256);
    const after = await connector.execute(spec, 'SELECT sum(qty) FROM stock', { timeoutMs: 5_000, maxRows: 1, signal: never() });
    assert.equal(after.rows, [[7]]);
  } finally {
    await connector.close();
  }

  fs.rmSync(file);
  const missing = await check();
  assert.equal([missing.status, missing.needsReimport], ['missing', true]);
});

test('a cancelled import stops promptly and leaves the previous snapshot queryable', async () => {
  const dir = folder();
  const spec = specFor([TITANIC], path.join(dir, 'work'));
  await run(spec);
  const before = fs.readdirSync(spec.workDir).sort();
  const big = path.join(dir, 'big.csv');
  const rows = Array.from({ length: 200_000 }, (_, i) => `${i},name ${i},${i % 7}`).join('\n');
  fs.writeFileSync(big, `id,name,g\n${rows}\n`.repeat(8));
  const controller = new AbortController();
  const pending = run({ ...spec, connection: { paths: [TITANIC, big] } }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  try {
    await pending;
    assert.unreachable('should be cancelled');
  } catch (error) {
    assert.instance(error, CancelledError);
  }
  assert.equal(fs.readdirSync(spec.workDir).sort(), before);
  assert.equal(await query(spec, 'SELECT count(*) FROM titanic'), [[891]]);
});

test('the import has a time budget: over it, the import stops with IMPORT_TIME_BUDGET and the previous snapshot stays', async () => {
  const dir = folder();
  const spec = specFor([TITANIC], path.join(dir, 'work'));
  await run(spec);
  const before = fs.readdirSync(spec.workDir).sort();
  const big = write(dir, 'slow.csv', `id,name\n${Array.from({ length: 200_000 }, (_, i) => `${i},name ${i}`).join('\n')}\n`);
  try {
    await run({ ...spec, connection: { paths: [big] } }, { limits: { timeBudgetMs: 5 } });
    assert.unreachable('should be over its budget');
  } catch (error) {
    assert.instance(error, TimeoutError);
    assert.is((error as TimeoutError).code, 'TIMEOUT');
    assert.is((error as TimeoutError).details?.kind, 'IMPORT_TIME_BUDGET');
    assert.match((error as Error).message, /^Importing the files took longer than 5 ms and was stopped; nothing was changed\.$/);
  }
  assert.equal(fs.readdirSync(spec.workDir).sort(), before);
  assert.equal(await query(spec, 'SELECT count(*) FROM titanic'), [[891]]);
});

test('a gzip file is held to the size limit once decompressed, even when its ratio is ordinary', async () => {
  const dir = folder();
  // About 2 MB of varied lines that gzip only a few times smaller, under a 1 MB limit.
  const text = `id,code\n${Array.from({ length: 150_000 }, (_, i) => `${i},${(i * 7919) % 100_003}`).join('\n')}\n`;
  const gz = write(dir, 'codes.csv.gz', zlib.gzipSync(text));
  assert.ok(gz && fs.statSync(gz).size < 1024 * 1024 && text.length > 1024 * 1024);
  const [result] = (await run(specFor([gz]), { sizeLimitBytes: 1024 * 1024 })).files;
  if (result!.ok) assert.unreachable('imported past the limit');
  else {
    assert.is(result!.error.code, 'VALIDATION');
    assert.is(result!.error.details?.kind, 'GZIP_TOO_LARGE');
    assert.is(result!.error.message, 'codes.csv.gz decompresses to more than 1 MB, over the limit for one file; it was not imported. Split it into smaller files or raise the limit in Settings.');
  }
});

test('an import where no file could be read keeps the previous snapshot instead of an empty one', async () => {
  const dir = folder();
  const csv = write(dir, 'kept.csv', 'a\n1\n2\n');
  const spec = specFor([csv], path.join(dir, 'work'));
  const first = await run(spec);
  fs.rmSync(csv);
  const again = await run(spec);
  assert.is(again.keptPrevious, true);
  assert.is(again.database, first.database);
  assert.equal(again.files.map((f) => (f.ok ? 'ok' : f.error.details?.kind)), ['NOT_FOUND']);
  assert.equal(await query(spec, 'SELECT count(*) FROM kept'), [[2]]);
});

test.run();
