import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ApiError } from '../../../../../engine/contract/errors';
import { MemorySecretStore } from '../../../../../engine/secrets/secret-store';
import { openTestEngine, type TestEngine } from '../../../../support/engine';
import { tempDir, testdataDir } from '../../../../support/tmp';

/**
 * Files that fight back, through the engine as the app runs it (imports in
 * the pool's DuckDB processes): each is refused with a typed error before
 * DuckDB reads it, the engine goes on, and a good file imports after it.
 */
const dir = tempDir('polystore-hostile-files-');
let te: TestEngine;
let counter = 0;

test.before(async () => {
  te = await openTestEngine({ unlocked: true, secrets: new MemorySecretStore() });
});
test.after(async () => {
  await te.close();
  dir.remove();
});

const file = (name: string) => path.join(dir.path, name);

/** Writes `count` copies of `block` between `head` and `tail` without holding the whole file in memory. */
function writeRepeated(name: string, head: string | Buffer, block: Buffer, count: number, tail: string): string {
  const target = file(name);
  const fd = fs.openSync(target, 'w');
  try {
    fs.writeSync(fd, typeof head === 'string' ? Buffer.from(head) : head);
    for (let i = 0; i < count; i++) fs.writeSync(fd, block);
    fs.writeSync(fd, tail);
  } finally {
    fs.closeSync(fd);
  }
  return target;
}

async function addSource(paths: string[]): Promise<string> {
  return (await te.ok('sources.create', { name: `Files ${++counter}`, type: 'file', connection: { paths } })).id;
}

/** A use of the source (the guardrail's check imports first); its error, which it must fail with. */
async function failedUse(sourceId: string): Promise<ApiError> {
  const result = await te.call('query.check', { sourceId, query: 'SELECT 1' });
  if (result.ok) throw new Error(`expected the source to fail, got ${JSON.stringify(result.value)}`);
  return result.error;
}

async function rows(sourceId: string, query: string): Promise<unknown[][]> {
  const prepared = await te.ok('query.prepare', { sourceId, query });
  assert.ok(prepared.approval, JSON.stringify(prepared));
  return (await te.ok('query.run', { token: prepared.approval.token })).result.rows;
}

async function importCount(sourceId: string): Promise<number> {
  return (await te.ok('audit.list', { action: 'file.imported', sourceId })).events.length;
}

/** The engine is alive and imports a good file after the bad one. */
async function aGoodFileStillImports(): Promise<void> {
  const table = `good${++counter}`;
  const good = file(`${table}.csv`);
  fs.writeFileSync(good, 'city,people\nLisbon,545000\nPorto,232000\n');
  const id = await addSource([good]);
  assert.equal(await rows(id, `SELECT sum(people)::INTEGER FROM ${table}`), [[777000]]);
}

async function refusedWith(paths: string[], kind: string, message: RegExp, beforeFirstUse?: () => void): Promise<void> {
  const id = await addSource(paths);
  beforeFirstUse?.();
  const error = await failedUse(id);
  assert.is(error.code, 'CONNECTOR', error.message);
  const files = error.details?.files as Array<{ code: string; kind: string | null; error: string }>;
  assert.equal(files.map((f) => [f.code, f.kind]), [['VALIDATION', kind]], JSON.stringify(files));
  assert.match(error.message, message);
  const [listed] = await te.ok('sources.files', { id });
  assert.is(listed?.status, 'failed');
  assert.match(listed?.error ?? '', message);
  await aGoodFileStillImports();
}

const TOO_DEEP = /nests arrays and objects more than 128 levels deep; it was not imported/;

test('a JSON file nested 10,000 levels deep (20 KB) is refused as too deep, and the next import works', async () => {
  const deep = file('deep-10k.json');
  fs.writeFileSync(deep, `${'['.repeat(10_000)}${']'.repeat(10_000)}`);
  assert.is(fs.statSync(deep).size, 20_000);
  await refusedWith([deep], 'JSON_TOO_DEEP', TOO_DEEP);
});

test('objects nested 100,000 deep and arrays nested 1,000,000 deep are refused as too deep', async () => {
  const objects = writeRepeated('objects-100k.json', '', Buffer.from('{"a":'), 100_000, `1${'}'.repeat(100_000)}`);
  await refusedWith([objects], 'JSON_TOO_DEEP', TOO_DEEP);
  const arrays = writeRepeated('arrays-1m.json', '', Buffer.from('['.repeat(1_000_000)), 1, ']'.repeat(1_000_000));
  await refusedWith([arrays], 'JSON_TOO_DEEP', TOO_DEEP);
});

test('a gzip bomb (2 GB of lines from 2 MB) is refused by its ratio, long before it is inflated', async () => {
  // One member inflating to 1 MiB of "0\n", repeated: gzip readers inflate concatenated members as one stream.
  const member = zlib.gzipSync(Buffer.from('0\n'.repeat(512 * 1024)), { level: 9 });
  const bomb = writeRepeated('bomb.csv.gz', zlib.gzipSync('n\n'), member, 2048, '');
  assert.ok(fs.statSync(bomb).size < 8 * 1024 * 1024, `${fs.statSync(bomb).size} bytes`);
  await refusedWith([bomb], 'GZIP_RATIO', /bomb\.csv\.gz decompresses more than 200 times its size/);
});

test('a 50 MB single JSON string is refused as too long', async () => {
  const long = writeRepeated('long-string.json', '{"text":"', Buffer.alloc(1024 * 1024, 'x'), 50, '"}');
  await refusedWith([long], 'STRING_TOO_LONG', /long-string\.json has a JSON string longer than 2 MB/);
});

test('a FIFO is refused as not a regular file at once (nothing waits for a writer)', async () => {
  // Adding a source already refuses a FIFO; this one takes the file's place between adding and the first import.
  const fifo = file('pipe.csv');
  fs.writeFileSync(fifo, 'a\n1\n');
  await refusedWith([fifo], 'NOT_A_FILE', /pipe\.csv is a named pipe \(FIFO\), not a regular file/, () => {
    fs.rmSync(fifo);
    execFileSync('mkfifo', [fifo]);
  });
});

test('a failed import is remembered until the file changes: later uses report it without importing again', async () => {
  const deep = file('remembered.json');
  fs.writeFileSync(deep, `${'['.repeat(500)}${']'.repeat(500)}`);
  const id = await addSource([deep]);
  const first = await failedUse(id);
  assert.match(first.message, TOO_DEEP);
  const imports = await importCount(id);
  assert.ok(imports >= 1);
  const again = await failedUse(id);
  assert.is(again.code, 'CONNECTOR');
  assert.is(again.details?.remembered, true);
  assert.match(again.message, /remembered from .*tried again once it changes/);
  assert.match(again.message, TOO_DEEP);
  assert.is(await importCount(id), imports, 'the unchanged file was not imported again');
  fs.writeFileSync(deep, '[{"id": 1, "name": "fixed"}]');
  assert.equal(await rows(id, 'SELECT name FROM remembered'), [['fixed']]);
  assert.is(await importCount(id), imports + 1);
});

test('a moved file keeps its last good import (and says so) until the user refreshes; a changed one too', async () => {
  const csv = file('stock.csv');
  fs.writeFileSync(csv, 'item,qty\nbolts,10\nnuts,20\n');
  const id = await addSource([csv]);
  assert.equal(await rows(id, 'SELECT sum(qty)::INTEGER FROM stock'), [[30]]);
  const imports = await importCount(id);

  fs.renameSync(csv, file('stock-moved.csv'));
  // The old behaviour re-imported here and replaced the table with an empty snapshot.
  assert.equal(await rows(id, 'SELECT sum(qty)::INTEGER FROM stock'), [[30]]);
  let [listed] = await te.ok('sources.files', { id });
  assert.equal([listed?.status, listed?.changed, listed?.stale?.reason], ['imported', true, 'missing']);
  assert.match(listed?.stale?.message ?? '', /stock\.csv is no longer at .*queries still read stock as it was imported/);
  assert.is(await importCount(id), imports, 'nothing was imported without the user asking');

  // Refreshing while the file is gone cannot replace the good import with nothing.
  const refreshed = await te.call('metadata.get', { sourceId: id, refresh: true });
  assert.ok(!refreshed.ok && /None of the files could be imported again; queries still read the last good import/.test(refreshed.error.message), JSON.stringify(refreshed));
  assert.equal(await rows(id, 'SELECT sum(qty)::INTEGER FROM stock'), [[30]]);

  fs.writeFileSync(csv, 'item,qty\nbolts,10\nnuts,20\nwashers,70\n');
  assert.equal(await rows(id, 'SELECT sum(qty)::INTEGER FROM stock'), [[30]]);
  [listed] = await te.ok('sources.files', { id });
  assert.is(listed?.stale?.reason, 'changed');

  const metadata = await te.ok('metadata.get', { sourceId: id, refresh: true });
  assert.equal(metadata.databases[0]?.schemas[0]?.objects.map((o) => [o.name, o.rowEstimate]), [['stock', 3]]);
  assert.equal(await rows(id, 'SELECT sum(qty)::INTEGER FROM stock'), [[100]]);
  [listed] = await te.ok('sources.files', { id });
  assert.equal([listed?.changed, listed?.stale], [false, null]);
});

test('a FIFO swapped in for an imported file does not hang queries: the last good import answers', async () => {
  const csv = file('swapped.csv');
  fs.writeFileSync(csv, 'n\n1\n2\n3\n');
  const id = await addSource([csv]);
  assert.equal(await rows(id, 'SELECT count(*)::INTEGER FROM swapped'), [[3]]);
  fs.rmSync(csv);
  execFileSync('mkfifo', [csv]);
  assert.equal(await rows(id, 'SELECT count(*)::INTEGER FROM swapped'), [[3]]);
  const [listed] = await te.ok('sources.files', { id });
  assert.is(listed?.stale?.reason, 'unreadable');
  assert.match(listed?.stale?.message ?? '', /swapped\.csv is no longer a regular file/);
});

test('a FIFO swapped in for a Parquet file read in place gives a typed error at once, not a query that waits', async () => {
  const parquet = file('albums.parquet');
  fs.copyFileSync(path.join(testdataDir, 'files/parquet-testing/data/alltypes_plain.parquet'), parquet);
  const id = await addSource([parquet]);
  assert.equal(await rows(id, 'SELECT count(*)::INTEGER FROM albums'), [[8]]);
  fs.rmSync(parquet);
  execFileSync('mkfifo', [parquet]);
  const result = await te.call('metadata.get', { sourceId: id });
  assert.ok(!result.ok, 'metadata was read from a FIFO');
  assert.equal([result.error.code, result.error.details?.kind], ['CONNECTOR', 'NOT_A_FILE']);
  assert.match(result.error.message, /albums\.parquet is no longer a regular file, so albums \(read from it in place\) cannot be queried/);
  const [listed] = await te.ok('sources.files', { id });
  assert.is(listed?.stale?.reason, 'unreadable');
});

test.run();
