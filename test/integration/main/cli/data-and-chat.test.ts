import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../../../support/cli';
import { createPgDatabase, pgFingerprint, type TestDatabase } from '../../../support/databases';
import { TEST_PIN } from '../../../support/engine';
import { startFakeOpenAi, type FakeOpenAi } from '../../../support/fake-llm/index';
import { tempDir, testdataDir } from '../../../support/tmp';

// The commands QA scripts rely on, with their exact JSON shapes, against real PostgreSQL and files.
const dir = tempDir();
const env = { POLYSTORE_PIN: TEST_PIN };
const base = ['--data-dir', dir.path];
let db: TestDatabase;
let pgId = '';
let fileId = '';
const run = (...args: string[]) => cli([...args, ...base], { env });

test.before(async () => {
  db = createPgDatabase('chinook');
  await cli(['init', ...base], { env });
  pgId = (await run('sources', 'add', 'postgres', '--name', 'pg', '--url', `${db.url}?sslmode=disable`, '--json')).json<{ id: string }>().id;
  fileId = (await run('sources', 'add', 'file', '--name', 'titanic', path.join(testdataDir, 'files/duckdb-csv/titanic.csv'), '--json')).json<{ id: string }>().id;
});

test('a superuser login: approved queries do not run until the owner confirms its risks; the token survives the refusal', async () => {
  const asked = (await run('ask', pgId, 'how many customers are there', '--json')).json<{ approval: { token: string } }>();
  const refused = await run('run', asked.approval.token, '--json');
  assert.is.not(refused.code, 0);
  const error = JSON.parse(refused.stderr).error as { code: string; message: string };
  assert.is(error.code, 'FORBIDDEN');
  assert.match(error.message, /can do more than read.*superuser.*confirm-risks/s);
  const shown = await run('sources', 'show', pgId);
  assert.match(shown.stdout, /UNCONFIRMED: .*SUPERUSER|UNCONFIRMED: .*CAN_WRITE/);
  assert.match(shown.stdout, /polystore sources confirm-risks/);
  const confirmed = (await run('sources', 'confirm-risks', pgId, '--json')).json<{ risksConfirmed: boolean; risks: Array<{ code: string }> }>();
  assert.is(confirmed.risksConfirmed, true);
  assert.ok(confirmed.risks.length > 0);
  const ran = await run('run', asked.approval.token, '--json');
  assert.is(ran.code, 0, ran.stderr);
  assert.equal(ran.json<{ rows: unknown[][] }>().rows, [[59]]);
  const audit = (await run('audit', '--source', pgId, '--json')).json<Array<{ action: string; details: { reason?: string } }>>();
  assert.ok(audit.some((e) => e.action === 'source.risks_confirmed'));
  assert.ok(audit.some((e) => e.action === 'source.refused' && e.details.reason === 'RISKS_UNCONFIRMED'));
});
test.after(() => {
  db.drop();
  dir.remove();
});

test('sources test ID -> {ok, latencyMs, serverVersion, canWrite, error?}', async () => {
  const r = await run('sources', 'test', pgId, '--json');
  assert.is(r.code, 0, r.stderr);
  const t = r.json<{ ok: boolean; latencyMs: number; serverVersion: string; canWrite: boolean; error?: unknown }>();
  assert.equal([t.ok, typeof t.latencyMs, t.canWrite], [true, 'number', true]);
  assert.match(t.serverVersion, /PostgreSQL 15/);
  const add = await run('sources', 'add', 'postgres', '--name', 'closed', '--url', 'postgres://postgres@127.0.0.1:1/x?sslmode=disable', '--json');
  const bad = await run('sources', 'test', add.json<{ id: string }>().id, '--json');
  assert.is(bad.code, 0, 'the test ran; its result says it failed');
  const failed = bad.json<{ ok: boolean; error: { kind: string; message: string } }>();
  assert.equal([failed.ok, failed.error.kind], [false, 'PORT_CLOSED']);
  const files = await run('sources', 'test', fileId, '--json');
  assert.is(files.json<{ ok: boolean }>().ok, true);
});

test('metadata ID [--refresh] -> the metadata document', async () => {
  const r = await run('metadata', pgId, '--json');
  const doc = r.json<{ sourceId: string; databases: Array<{ schemas: Array<{ name: string; objects: Array<{ name: string }> }> }>; cached: boolean }>();
  assert.is(doc.sourceId, pgId);
  const tables = doc.databases[0]!.schemas.find((s) => s.name === 'public')!.objects.map((o) => o.name).sort();
  assert.equal(tables, ['album', 'artist', 'customer', 'employee', 'genre', 'invoice', 'invoice_line', 'media_type', 'playlist', 'playlist_track', 'track']);
  assert.is((await run('metadata', pgId, '--json')).json<{ cached: boolean }>().cached, true);
  assert.is((await run('metadata', pgId, '--refresh', '--json')).json<{ cached: boolean }>().cached, false);
  const files = (await run('metadata', fileId, '--json')).json<{ databases: Array<{ schemas: Array<{ objects: Array<{ name: string; fields: unknown[] }> }> }> }>();
  assert.is(files.databases[0]!.schemas[0]!.objects[0]!.name, 'titanic');
});

test('check ID --query Q -> {allowed, reasons:[{code, message}]}; exit 0 either way', async () => {
  const ok = await run('check', pgId, '--query', 'SELECT name FROM artist', '--json');
  assert.is(ok.code, 0);
  assert.equal(ok.json<{ allowed: boolean; reasons: unknown[] }>().allowed, true);
  const refused = await run('check', pgId, '--query', "SELECT pg_sleep(5); DELETE FROM album", '--json');
  assert.is(refused.code, 0);
  const v = refused.json<{ allowed: boolean; reasons: Array<{ code: string; message: string }> }>();
  assert.is(v.allowed, false);
  assert.ok(v.reasons.some((r) => r.code === 'MULTIPLE_STATEMENTS'));
  assert.ok(v.reasons.every((r) => typeof r.message === 'string' && r.message.length > 10));
});

test('query ID --query Q --yes: the unified result; --format csv; --max-rows sets truncated', async () => {
  const r = await run('query', pgId, '--query', 'SELECT genre_id, name FROM genre ORDER BY genre_id', '--yes', '--json');
  assert.is(r.code, 0, r.stderr);
  const res = r.json<{ columns: Array<{ name: string; type: string; nativeType: string }>; rows: unknown[][]; rowCount: number; truncated: boolean }>();
  assert.equal(res.columns.map((c) => [c.name, c.type]), [['genre_id', 'integer'], ['name', 'string']]);
  assert.equal(res.rows[0], [1, 'Rock']);
  assert.equal([res.rowCount, res.truncated], [25, false]);
  const limited = (await run('query', pgId, '--query', 'SELECT genre_id FROM genre', '--yes', '--json', '--max-rows', '5')).json<{ rowCount: number; truncated: boolean }>();
  assert.equal([limited.rowCount, limited.truncated], [5, true]);
  const csv = await run('query', pgId, '--query', "SELECT 'a,b' AS x, 'say \"hi\"' AS y", '--yes', '--format', 'csv');
  assert.is(csv.stdout, 'x,y\r\n"a,b","say ""hi"""\r\n');
  const files = (await run('query', fileId, '--query', 'SELECT count(*) AS n FROM titanic', '--yes', '--json')).json<{ rows: unknown[][] }>();
  assert.equal(files.rows, [[891]]);
});

test('query without --yes refuses when not interactive, and nothing runs; a refused query exits non-zero', async () => {
  const before = pgFingerprint(db);
  const r = await run('query', pgId, '--query', 'SELECT 1');
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /not a terminal.*--yes/);
  const write = await run('query', pgId, '--query', 'DELETE FROM invoice_line', '--yes', '--json');
  assert.is(write.code, 5);
  assert.match(JSON.parse(write.stderr.trim().split('\n').pop()!).error.message, /guardrail refused/);
  assert.is(pgFingerprint(db), before);
  const timeout = await run('query', pgId, '--query', 'SELECT count(*) FROM track a, track b, track c', '--yes', '--json', '--timeout-ms', '200');
  assert.is(JSON.parse(timeout.stderr).error.code, 'TIMEOUT');
});

test('ask ID "question" -> {sessionId, messageId, query, dialect, explanation, verdict, approval, explain?, provider, confidence?}; run TOKEN; deny TOKEN', async () => {
  const asked = await run('ask', pgId, 'how many customers are there', '--json');
  assert.is(asked.code, 0, asked.stderr);
  const a = asked.json<{ sessionId: string; messageId: string; query: string; dialect: string; explanation: string; verdict: { allowed: boolean }; approval: { token: string; expiresAt: string }; explain: unknown; provider: string; confidence: number; signals: Record<string, unknown> | null }>();
  assert.equal([a.dialect, a.verdict.allowed, a.provider], ['postgres', true, 'offline planner']);
  // What the calibrated confidence was computed from, for people evaluating the planner.
  assert.equal([typeof a.signals?.unknownWords, typeof a.signals?.guesses, a.signals?.shape], ['number', 'number', 'count']);
  assert.ok(a.sessionId && a.messageId && a.query && a.explanation && a.approval.token && a.approval.expiresAt && a.explain);
  const ran = await run('run', a.approval.token, '--json');
  assert.is(ran.code, 0, ran.stderr);
  assert.equal(ran.json<{ rows: unknown[][] }>().rows, [[59]]);
  const replay = await run('run', a.approval.token, '--json');
  assert.is(JSON.parse(replay.stderr).error.code, 'APPROVAL');
  const follow = (await run('ask', pgId, 'how many invoices are there', '--session', a.sessionId, '--json')).json<{ approval: { token: string }; sessionId: string }>();
  assert.is(follow.sessionId, a.sessionId);
  assert.is((await run('deny', follow.approval.token, '--json')).code, 0);
  const denied = await run('run', follow.approval.token, '--json');
  assert.match(JSON.parse(denied.stderr).error.message, /denied/);
  const shown = (await run('sessions', 'show', a.sessionId, '--json')).json<{ messages: Array<{ payload: { kind: string } }> }>();
  // The refused replay and the run after the denial are recorded in the thread too.
  assert.equal(shown.messages.map((m) => m.payload.kind), ['question', 'query', 'decision', 'result', 'error', 'question', 'query', 'decision', 'error']);
  const list = (await run('sessions', 'list', '--json')).json<Array<{ id: string }>>();
  assert.ok(list.some((s) => s.id === a.sessionId));
});

test('providers list | set | test: a local OpenAI-compatible server, its key via --key-stdin', async () => {
  const llm: FakeOpenAi = await startFakeOpenAi({ apiKey: 'sk-cli-key-123456789' });
  const listed = (await run('providers', 'list', '--json')).json<{ mode: string; presets: Array<{ id: string }> }>();
  assert.is(listed.mode, 'offline');
  assert.ok(['openai', 'anthropic', 'ollama', 'lmstudio', 'llamacpp', 'vllm'].every((p) => listed.presets.some((x) => x.id === p)));
  const set = await cli(['providers', 'set', 'custom', '--model', 'm1', '--base-url', llm.baseUrl, '--key-stdin', '--pin-stdin', '--json', ...base], { stdin: `${TEST_PIN}\nsk-cli-key-123456789\n` });
  assert.is(set.code, 0, set.stderr);
  assert.equal(set.json<{ primary: { hasApiKey: boolean; hosted: boolean } }>().primary, { ...set.json<{ primary: object }>().primary, hasApiKey: true, hosted: false });
  assert.not.match(set.stdout, /sk-cli-key/);
  llm.replyJson({ ok: true });
  const tested = await run('providers', 'test', '--json');
  assert.is(tested.code, 0, tested.stderr);
  assert.equal(tested.json<{ ok: boolean; model: string }>().ok, true);
  llm.replyJson({ query: 'SELECT count(*) FROM artist', dialect: 'postgres', explanation: 'Counts artists.', confidence: 0.9 });
  const asked = (await run('ask', pgId, 'how many artists', '--json')).json<{ provider: string; query: string; signals: unknown }>();
  assert.equal([asked.provider, asked.query, asked.signals], ['OpenAI-compatible server', 'SELECT count(*) FROM artist', null]);
  assert.is((await run('providers', 'set', 'offline', '--json')).json<{ mode: string }>().mode, 'offline');
  await llm.close();
});

test.run();
