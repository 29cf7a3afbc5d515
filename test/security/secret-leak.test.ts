import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { channelNames } from '../../engine/contract/index';
import { cli } from '../support/cli';
import { openTestEngine, TEST_PIN, type TestEngine } from '../support/engine';

// Known secrets planted through every path that accepts one; afterwards nothing
// the app writes or returns may contain any of them.
const SECRETS = ['Pg-Pa55word-7731', 'My$ql-Secr3t-0042', 'mongo:p@ss/W0rd-19', 'Rotated-Pa55-5150', 'sk-leak-Provider-Key-424242'];
const seen: string[] = [];

function scanFiles(dir: string): string[] {
  const hits: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = fs.readFileSync(file);
    for (const secret of SECRETS) {
      for (const form of [secret, encodeURIComponent(secret)]) {
        if (bytes.includes(Buffer.from(form, 'utf8')) || bytes.includes(Buffer.from(form, 'utf16le'))) hits.push(`${path.relative(dir, file)} contains ${secret}`);
      }
    }
  }
  return hits;
}

let te: TestEngine;
test.before(async () => {
  te = await openTestEngine({ unlocked: true, keepDataDir: true });
  te.engine.events.subscribe((name, payload) => seen.push(`${name} ${JSON.stringify(payload)}`));
});

test('add sources with known passwords through fields, URLs and the CLI, then exercise the app', async () => {
  const record = async (channel: Parameters<TestEngine['call']>[0], input?: unknown) => {
    const result = await te.call(channel, input as never);
    seen.push(`${channel} ${JSON.stringify(result)}`);
    return result;
  };
  const pg = await record('sources.create', { name: 'PG', type: 'postgres', url: `postgres://admin:${encodeURIComponent(SECRETS[0]!)}@127.0.0.1:5432/chinook` });
  assert.ok(pg.ok);
  const my = await record('sources.create', { name: 'My', type: 'mysql', connection: { host: '127.0.0.1', port: 3306, database: 'x', user: 'root' }, password: SECRETS[1] });
  assert.ok(my.ok);
  const mongo = await record('sources.create', { name: 'Mongo', type: 'mongodb', url: `mongodb://app:${encodeURIComponent(SECRETS[2]!)}@127.0.0.1:27017/sample?authSource=admin` });
  assert.ok(mongo.ok);
  const pgId = pg.ok ? (pg.value as { id: string }).id : '';
  // Every kind of read and change, including failures whose messages could echo input.
  // Every read channel, with and without an id (the mutating ones are exercised below).
  const reads = channelNames.filter((c) => /\.(list|get|types|info|health|status)$/.test(c));
  assert.ok(reads.length >= 6);
  for (const channel of reads) {
    await record(channel, { id: pgId });
    await record(channel);
  }
  await record('sources.update', { id: pgId, password: SECRETS[3] });
  await record('sources.update', { id: pgId, url: `postgres://admin:${encodeURIComponent(SECRETS[0]!)}@bad host:5432/db` });
  await record('sources.update', { id: pgId, url: `postgres://admin:${encodeURIComponent(SECRETS[0]!)}@h:port/db` });
  await record('sources.create', { name: 'PG', type: 'postgres', url: `postgres://admin:${SECRETS[0]}@127.0.0.1:5432/dup` });
  await record('sources.create', { name: 'Bad', type: 'mysql', url: `mysql://root:${SECRETS[1]}@127.0.0.1:3306` });
  // A model API key: to the keychain, never back out.
  await record('providers.set', { config: { kind: 'openai', model: 'gpt-test' }, apiKey: SECRETS[4] });
  await record('providers.get');
  await record('providers.set', { config: { kind: 'openai', model: 'gpt-test', baseUrl: `https://user:${SECRETS[4]}@api.example.com/v1` } });
  await record('sources.disable', { id: pgId });
  await record('sources.enable', { id: pgId });
  // The engine reads the secret for a job (in memory only)…
  const spec = await te.engine.sources.connectionSpec(pgId);
  assert.is(spec.password, SECRETS[3]);
  // …and an unexpected error that mentions it is logged redacted.
  te.engine.logger.error('driver failure', { error: new Error(`password authentication failed: ${SECRETS[3]}`) });
  te.engine.audit.record({ action: 'query.failed', sourceId: pgId, details: { error: `login failed for admin/${SECRETS[3]}` } });
  // The CLI against the same profile: its output and errors.
  const out = await cli(['sources', 'list', '--json', '--data-dir', te.dataDir], { env: { POLYSTORE_PIN: TEST_PIN } });
  seen.push(out.stdout, out.stderr);
  const cliAdd = await cli(['sources', 'add', 'postgres', '--name', 'CLI', '--url', `postgres://u:${encodeURIComponent(SECRETS[0]!)}@h:5432/d`, '--json', '--data-dir', te.dataDir], {
    env: { POLYSTORE_PIN: TEST_PIN },
  });
  seen.push(cliAdd.stdout, cliAdd.stderr);
  assert.is(cliAdd.code, 0, cliAdd.stderr);
  const audit = await record('audit.list', { limit: 5000 });
  assert.ok(audit.ok);
});

test('no secret in anything returned to a host, any event, the CLI output, or the audit log', () => {
  const text = seen.join('\n');
  for (const secret of SECRETS) {
    assert.not.ok(text.includes(secret), `leaked ${secret}`);
    assert.not.ok(text.includes(encodeURIComponent(secret)), `leaked encoded ${secret}`);
  }
});

test('no secret in the SQLite file, its WAL, or the logs (scanned before and after closing)', async () => {
  assert.equal(scanFiles(te.dataDir), []);
  assert.ok(fs.existsSync(path.join(te.dataDir, 'polystore.db-wal')), 'the WAL should exist while open');
  await te.close();
  assert.equal(scanFiles(te.dataDir), []);
  fs.rmSync(te.dataDir, { recursive: true, force: true });
});

test.run();
