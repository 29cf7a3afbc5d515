import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../../../support/cli';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { TEST_PIN } from '../../../support/engine';
import { startFakeOpenAi, type FakeOpenAi } from '../../../support/fake-llm/index';
import { tempDir } from '../../../support/tmp';

// Issue 10 from the shell: `polystore ask --json` carries the database's EXPLAIN error, and a
// query the database rejects comes with no approval token to run. Real PostgreSQL.
const API_KEY = 'sk-cli-explain-0099887766';
const dir = tempDir();
const env = { POLYSTORE_PIN: TEST_PIN };
const base = ['--data-dir', dir.path];
const run = (...args: string[]) => cli([...args, ...base], { env });
let db: TestDatabase;
let llm: FakeOpenAi;
let sourceId = '';

interface Asked {
  query: string | null;
  approval: { token: string } | null;
  explainError: string | null;
  declined: { reason: string; suggestions: string[] } | null;
}

test.before(async () => {
  db = createPgDatabase('empty');
  db.sql('CREATE TABLE ticket (ticket_id INT PRIMARY KEY, category VARCHAR(20) NOT NULL, price DECIMAL(8,2) NOT NULL)');
  db.sql("INSERT INTO ticket VALUES (1, 'concert', 40.00), (2, 'theatre', 30.00), (3, 'opera', 90.00)");
  llm = await startFakeOpenAi({ apiKey: API_KEY });
  await cli(['init', ...base], { env });
  sourceId = (await run('sources', 'add', 'postgres', '--name', 'tickets', '--url', `${db.url}?sslmode=disable`, '--json')).json<{ id: string }>().id;
});
test.after(async () => {
  await llm?.close();
  db?.drop();
  dir.remove();
});

test('ask --json: a model naming a missing column gets no token; the EXPLAIN error is in the JSON and in the text', async () => {
  const set = await cli(['providers', 'set', 'custom', '--model', 'm1', '--base-url', llm.baseUrl, '--key-stdin', '--pin-stdin', '--json', ...base], { stdin: `${TEST_PIN}\n${API_KEY}\n` });
  assert.is(set.code, 0, set.stderr);
  const missing = { query: 'SELECT avg(ticket_price) FROM ticket', dialect: 'postgres', explanation: 'Averages the price.', confidence: 0.9 };
  for (let i = 0; i < 6; i++) llm.replyJson(missing);
  const json = await run('ask', sourceId, 'average ticket price', '--json');
  assert.is(json.code, 0, json.stderr);
  const asked = json.json<Asked>();
  assert.is(asked.approval, null);
  assert.match(asked.explainError ?? '', /ticket_price/);
  const text = await run('ask', sourceId, 'average ticket price');
  assert.match(text.stdout, /REJECTED by the database[^\n]*\n\s+.*ticket_price/);
  assert.not.match(text.stdout, /polystore run/);
  await run('providers', 'set', 'offline', '--json');
});

test('ask --json with the offline planner on a column renamed since the metadata was read: declined, with the EXPLAIN error', async () => {
  await run('metadata', sourceId, '--refresh', '--json');
  db.sql('ALTER TABLE ticket RENAME COLUMN category TO kind');
  const asked = (await run('ask', sourceId, 'average price per category', '--json')).json<Asked>();
  assert.is(asked.query, null);
  assert.is(asked.approval, null);
  assert.match(asked.explainError ?? '', /category/);
  assert.match(asked.declined?.reason ?? '', /database rejected/);
});

test('query --yes: the database rejects the column, so nothing is approved or run, and the error says why', async () => {
  const r = await run('query', sourceId, '--query', 'SELECT no_such_column FROM ticket', '--yes', '--json');
  assert.is.not(r.code, 0);
  // The preview comes first on stderr, then the error as JSON.
  const error = JSON.parse(r.stderr.slice(r.stderr.search(/^\{/m))).error as { code: string; message: string };
  assert.is(error.code, 'CONNECTOR');
  assert.match(error.message, /database rejected this query.*no_such_column/);
});

test.run();
