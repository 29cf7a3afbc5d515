import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../../../support/cli';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { TEST_PIN } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

// `polystore verified …` as a QA script or a team would use it, against real PostgreSQL (Chinook).
const dir = tempDir();
const env = { POLYSTORE_PIN: TEST_PIN };
const base = ['--data-dir', dir.path];
const run = (...args: string[]) => cli([...args, ...base], { env });
const VERIFIED_QUERY = 'SELECT count(album_id) AS album_count FROM album';
let db: TestDatabase;
let sourceId = '';
let otherId = '';

async function addSource(name: string): Promise<string> {
  const id = (await run('sources', 'add', 'postgres', '--name', name, '--url', `${db.url}?sslmode=disable`, '--json')).json<{ id: string }>().id;
  await run('sources', 'test', id);
  await run('sources', 'confirm-risks', id);
  return id;
}

test.before(async () => {
  db = createPgDatabase('chinook');
  await cli(['init', ...base], { env });
  sourceId = await addSource('pg');
  otherId = await addSource('pg copy');
});
test.after(() => {
  db?.drop();
  dir.remove();
});

test('verified add (question and query) -> list -> ask a paraphrase proposes it, labelled, with a token that runs', async () => {
  const added = await run('verified', 'add', '--source', sourceId, '--question', 'How many albums are there?', '--query', VERIFIED_QUERY, '--json');
  assert.is(added.code, 0, added.stderr);
  const id = added.json<{ id: string }>().id;
  const list = (await run('verified', 'list', '--source', sourceId, '--json')).json<Array<{ id: string; question: string; query: string }>>();
  assert.equal(list.map((v) => [v.id, v.question, v.query]), [[id, 'How many albums are there?', VERIFIED_QUERY]]);
  const human = await run('verified', 'list', '--source', sourceId);
  assert.match(human.stdout, /How many albums are there\?.*count\(album_id\)/);

  const asked = (await run('ask', sourceId, 'number of albums', '--json')).json<{ query: string; provider: string; verified: { id: string; match: string }; approval: { token: string } }>();
  assert.equal([asked.query, asked.provider, asked.verified.id, asked.verified.match], [VERIFIED_QUERY, 'verified answer', id, 'exact']);
  const ran = await run('run', asked.approval.token, '--json');
  assert.is(ran.code, 0, ran.stderr);
  assert.equal(ran.json<{ rows: unknown[][] }>().rows, [[Number(db.sql('SELECT count(*) FROM album').trim())]]);
  assert.match((await run('ask', sourceId, 'number of albums')).stdout, /verified answer/);
});

test('verified add --session --message marks a query that ran; one that did not run is refused', async () => {
  const asked = (await run('ask', sourceId, 'how many customers are there', '--json')).json<{ sessionId: string; messageId: string; approval: { token: string } }>();
  const early = await run('verified', 'add', '--session', asked.sessionId, '--message', asked.messageId, '--json');
  assert.is(early.code, 2);
  assert.match(JSON.parse(early.stderr).error.message, /ran successfully/);
  assert.is((await run('run', asked.approval.token)).code, 0);
  const marked = await run('verified', 'add', '--session', asked.sessionId, '--message', asked.messageId, '--question', 'number of customers', '--json');
  assert.is(marked.code, 0, marked.stderr);
  assert.is(marked.json<{ question: string }>().question, 'number of customers');
  const missing = await run('verified', 'add', '--source', sourceId, '--json');
  assert.is(missing.code, 2);
});

test('verified export FILE -> import FILE into another source; again skips duplicates; a tampered line imports nothing (exit 5, line named)', async () => {
  const file = path.join(dir.path, 'verified.jsonl');
  const exported = await run('verified', 'export', file, '--source', sourceId);
  assert.is(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /Wrote 2 verified answers/);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  assert.is(lines.length, 2);
  assert.is((fs.statSync(file).mode & 0o777).toString(8), '600');
  assert.is((await run('verified', 'export', file, '--source', sourceId)).code, 6, 'an existing file is not overwritten');

  const imported = await run('verified', 'import', file, '--source', otherId, '--json');
  assert.is(imported.code, 0, imported.stderr);
  assert.equal(imported.json(), { added: 2, skippedDuplicates: 0, conflicts: [], lines: 2 });
  assert.match((await run('verified', 'import', file, '--source', otherId)).stdout, /0 added, 2 already there \(skipped\)/);

  const tampered = path.join(dir.path, 'tampered.jsonl');
  fs.writeFileSync(tampered, `${JSON.stringify({ v: 1, question: 'how many tracks', query: 'SELECT count(*) FROM track', dialect: 'postgres' })}\n${JSON.stringify({ v: 1, question: 'tidy up', query: 'DROP TABLE track', dialect: 'postgres' })}\n`);
  const refused = await run('verified', 'import', tampered, '--source', otherId, '--json');
  assert.is(refused.code, 5);
  assert.match(JSON.parse(refused.stderr).error.message, /Line 2 .*nothing was imported/);
  assert.is((await run('verified', 'list', '--source', otherId, '--json')).json<unknown[]>().length, 2);
  assert.is((await run('verified', 'import', path.join(dir.path, 'nope.jsonl'), '--source', otherId)).code, 3);
});

test('verified edit and remove: the removed answer is no longer proposed; the audit log has every change', async () => {
  const [first] = (await run('verified', 'list', '--source', sourceId, '--json')).json<Array<{ id: string; question: string }>>().filter((v) => v.question.includes('albums'));
  assert.ok(first);
  assert.is((await run('verified', 'edit', first.id, '--question', 'albums in the catalog, how many?')).code, 0);
  assert.is((await run('verified', 'remove', first.id)).code, 0);
  const asked = (await run('ask', sourceId, 'number of albums', '--json')).json<{ provider: string; verified: unknown }>();
  assert.is(asked.verified, null);
  assert.is.not(asked.provider, 'verified answer');
  const actions = (await run('audit', '--source', sourceId, '--json')).json<Array<{ action: string }>>().map((e) => e.action);
  for (const action of ['verified.added', 'verified.edited', 'verified.removed']) assert.ok(actions.includes(action), action);
});

test.run();
