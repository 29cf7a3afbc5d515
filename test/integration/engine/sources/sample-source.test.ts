import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FileConnection } from '../../../../engine/contract/index';
import { MemorySecretStore } from '../../../../engine/secrets/secret-store';
import { SAMPLE_QUESTIONS, sampleFiles } from '../../../../engine/sources/sample-data';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { repoRoot, tempDir } from '../../../support/tmp';

// "Try it with sample data" through the engine: an ordinary file source, added once, removable and re-addable.
const shipped = path.join(repoRoot, 'build-resources', 'sample', 'chinook');
const dir = tempDir();
const secrets = new MemorySecretStore();
let te: TestEngine;

/** A copy of the shipped sample where an installed app would have it. */
function installAt(...parts: string[]): string {
  const folder = path.join(dir.path, ...parts, 'sample', 'chinook');
  fs.mkdirSync(folder, { recursive: true });
  for (const file of sampleFiles(shipped)) fs.copyFileSync(file, path.join(folder, path.basename(file)));
  return folder;
}

const first = installAt('v1');
const data = path.join(dir.path, 'profile');
test.before(async () => {
  te = await openTestEngine({ unlocked: true, secrets, dataDir: data, keepDataDir: true, sampleDir: first });
});
test.after(async () => {
  await te.close();
  dir.remove();
});

let sampleId = '';
test('two clicks at once add one sample, named for what it is, audited as the sample', async () => {
  const [a, b] = await Promise.all([te.ok('sources.addSample'), te.ok('sources.addSample')]);
  assert.is(a.id, b.id);
  sampleId = a.id;
  assert.is(a.name, 'Chinook music store (sample)');
  assert.equal((a.connection as FileConnection).paths, sampleFiles(first));
  assert.equal((await te.ok('sources.list')).map((s) => s.id), [sampleId]);
  const created = await te.ok('audit.list', { action: 'source.created' });
  assert.equal(created.events.map((e) => [e.sourceId, e.details.sample]), [[sampleId, 'chinook']]);
  const imported = await te.ok('audit.list', { action: 'file.imported', sourceId: sampleId });
  assert.ok(imported.events.length >= 1, 'the import is audited like any file source');
});

test('it is a file source like any other: its tables are listed, and it is read-only', async () => {
  const files = await te.ok('sources.files', { id: sampleId });
  assert.equal(files.map((f) => [f.table, f.status]).sort(), ['album', 'artist', 'customer', 'employee', 'genre', 'invoice', 'invoice_line', 'media_type', 'playlist', 'playlist_track', 'track'].map((t) => [t, 'imported']));
  const write = await te.ok('query.check', { sourceId: sampleId, query: "COPY (SELECT 1) TO '/tmp/polystore-sample-write.csv'" });
  assert.is(write.allowed, false);
  const drop = await te.ok('query.check', { sourceId: sampleId, query: 'DROP TABLE track' });
  assert.is(drop.allowed, false);
});

test('the sample offers its tested questions; another source offers none', async () => {
  assert.equal(await te.ok('sources.examples', { id: sampleId }), [...SAMPLE_QUESTIONS]);
  const other = await te.ok('sources.create', { name: 'Albums', type: 'file', connection: { paths: [path.join(first, 'album.parquet')] } });
  assert.equal(await te.ok('sources.examples', { id: other.id }), []);
  await te.ok('sources.remove', { id: other.id });
});

test('removed, it leaves the shipped files alone and can be added again', async () => {
  const before = sampleFiles(first).map((f) => fs.readFileSync(f).length);
  await te.ok('sources.remove', { id: sampleId });
  assert.equal(sampleFiles(first).map((f) => fs.readFileSync(f).length), before);
  const again = await te.ok('sources.addSample');
  assert.is.not(again.id, sampleId);
  assert.is(again.status, 'CONNECTED');
  sampleId = again.id;
});

test('a source of that name that is not the sample keeps its name; the sample gets "(2)"', async () => {
  await te.ok('sources.update', { id: sampleId, name: 'My Chinook' });
  // Still the sample by its files, whatever it is called now.
  assert.is((await te.ok('sources.addSample')).id, sampleId);
  await te.ok('sources.remove', { id: sampleId });
  const mine = await te.ok('sources.create', { name: 'Chinook music store (sample)', type: 'file', connection: { paths: [path.join(first, 'genre.parquet')] } });
  const sample = await te.ok('sources.addSample');
  assert.is(sample.name, 'Chinook music store (sample) (2)');
  assert.is((await te.ok('sources.get', { id: mine.id })).name, 'Chinook music store (sample)');
  await te.ok('sources.remove', { id: mine.id });
  sampleId = sample.id;
});

test('after the app moved (an update), adding it again points the same source at the new files', async () => {
  await te.close();
  const moved = installAt('v2');
  fs.rmSync(first, { recursive: true });
  te = await openTestEngine({ unlocked: true, secrets, dataDir: data, keepDataDir: true, sampleDir: moved });
  const source = await te.ok('sources.addSample');
  assert.is(source.id, sampleId);
  assert.equal((source.connection as FileConnection).paths, sampleFiles(moved));
  assert.is(source.status, 'CONNECTED');
  const asked = await te.ok('chat.ask', { sourceId: sampleId, question: 'How many genres are there?' });
  const { message } = await te.ok('chat.approve', { sessionId: asked.sessionId, messageId: asked.messageId, token: asked.approval!.token });
  assert.ok(message.payload.kind === 'result' && JSON.stringify(message.payload.preview) === '[[25]]');
});

test('a copy of the app without the sample says so with a typed error, and adds nothing', async () => {
  const bare = await openTestEngine({ unlocked: true, secrets: new MemorySecretStore(), sampleDir: path.join(dir.path, 'missing') });
  try {
    const result = await bare.call('sources.addSample');
    assert.ok(!result.ok && result.error.code === 'UNAVAILABLE', JSON.stringify(result));
    assert.equal(await bare.ok('sources.list'), []);
  } finally {
    await bare.close();
  }
});

test.run();
