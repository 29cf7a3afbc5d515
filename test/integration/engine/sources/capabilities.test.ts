import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Capabilities } from '../../../../engine/contract/index';
import { descriptors } from '../../../../engine/connectors/descriptors';
import { useConnector } from '../../../../engine/connectors/registry';
import { createInlinePool } from '../../../../engine/pool/inline';
import { MemorySecretStore } from '../../../../engine/secrets/secret-store';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { FakeConnector } from '../../../support/fake-connector';

// The store facts and the capability policy, through the router as a host calls them.
let te: TestEngine;
let fake: FakeConnector;

test.before.each(async () => {
  fake = new FakeConnector();
  useConnector('postgres', fake);
  te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true, pool: createInlinePool() });
});
test.after.each(() => te.close());

test('sources.types gives every kind its label, port, URL example and default limits, and the example is one the engine accepts', async () => {
  const types = await te.ok('sources.types');
  assert.equal(types.map((t) => t.type), ['postgres', 'mysql', 'mongodb', 'file']);
  const byType = new Map(types.map((t) => [t.type, t]));
  assert.equal([byType.get('postgres')!.label, byType.get('postgres')!.defaultPort, byType.get('postgres')!.dialectLabel], ['PostgreSQL', 5432, 'PostgreSQL']);
  assert.equal([byType.get('mysql')!.defaultPort, byType.get('mongodb')!.defaultPort, byType.get('file')!.defaultPort], [3306, 27017, null]);
  assert.equal([byType.get('mongodb')!.defaultTls, byType.get('postgres')!.defaultTls, byType.get('file')!.defaultTls], ['off', 'prefer', null]);
  assert.is(byType.get('file')!.urlExample, null, 'files are not added by URL');
  assert.is(byType.get('file')!.dialectLabel, 'DuckDB');
  for (const t of types) {
    assert.equal(t.defaults, { rowLimit: 10_000, statementTimeoutMs: 30_000, maxResultBytes: 64 * 1024 * 1024 }, t.type);
    if (!t.urlExample) continue;
    // The example shown in the add dialog must be one that adds a source, pointing at the default port.
    const source = await te.ok('sources.create', { name: `example ${t.type}`, type: t.type, url: t.urlExample });
    const c = source.connection;
    assert.ok(c, `${t.type} example has connection details`);
    const port = 'hosts' in c ? c.hosts[0]!.port : 'port' in c ? c.port : null;
    assert.is(port, t.defaultPort, `${t.type} example uses the default port`);
    assert.equal(source.settings.rowLimit, t.defaults.rowLimit);
  }
});

test('each kind lists what it can and cannot do, with a hint only for what it cannot', async () => {
  const types = await te.ok('sources.types');
  for (const t of types) {
    assert.equal(t.notes.map((n) => n.capability).sort(), Object.keys(t.capabilities).sort(), t.type);
    for (const n of t.notes) {
      assert.is(n.supported, t.capabilities[n.capability], `${t.type} ${n.capability}`);
      assert.is(n.hint === null, n.supported, `${t.type} ${n.capability}: a hint exactly when unsupported`);
    }
  }
  const mongo = types.find((t) => t.type === 'mongodb')!;
  assert.match(mongo.notes.find((n) => n.capability === 'sql')!.hint ?? '', /MongoDB is not queried with SQL/);
});

test('an action the store cannot do is refused with UNSUPPORTED, naming the capability, in the words the app shows', async () => {
  const pg = await te.ok('sources.create', { name: 'Fake', type: 'postgres', connection: { host: 'fake', port: 5432, database: 'fake', user: 'reader' }, password: 'pw' });
  const refused = await te.call('sources.files', { id: pg.id });
  assert.ok(!refused.ok, 'a PostgreSQL source has no files to list');
  assert.is(refused.error.code, 'UNSUPPORTED');
  assert.equal(refused.error.details, { capability: 'filePreview', sourceType: 'postgres' });
  const hint = (await te.ok('sources.types')).find((t) => t.type === 'postgres')!.notes.find((n) => n.capability === 'filePreview')!.hint;
  assert.is(refused.error.message, hint, 'the error and the disabled control say the same');
});

test('a store without EXPLAIN is never asked for an estimate: its query gets a token and no estimate', async () => {
  // query.prepare is not refused: the estimate is what is missing, and the user approves without one.
  await without('postgres', 'explain', async () => {
    const pg = await fakeSource('No explain');
    assert.is(pg.capabilities.explain, false);
    assert.match((await hintFor('explain')) ?? '', /cannot estimate a query before it runs/);
    const prepared = await te.ok('query.prepare', { sourceId: pg.id, query: 'SELECT 3' });
    assert.is(prepared.explain, null);
    assert.ok(prepared.approval, 'it can still be approved, without an estimate');
    assert.is(fake.count('explain'), 0, 'EXPLAIN never reached the store');
  });
});

/** Runs `fn` with one capability of a store's descriptor switched off: every real store stops queries and browses its schema, so the refusals are reached this way. */
async function without<T>(type: keyof typeof descriptors, capability: keyof Capabilities, fn: () => Promise<T>): Promise<T> {
  const capabilities = descriptors[type].capabilities;
  descriptors[type].capabilities = { ...capabilities, [capability]: false };
  try {
    return await fn();
  } finally {
    descriptors[type].capabilities = capabilities;
  }
}

async function fakeSource(name: string) {
  return te.ok('sources.create', { name, type: 'postgres', connection: { host: 'fake', port: 5432, database: 'fake', user: 'reader' }, password: 'pw' });
}

async function hintFor(capability: keyof Capabilities): Promise<string | null> {
  return (await te.ok('sources.types')).find((t) => t.type === 'postgres')!.notes.find((n) => n.capability === capability)!.hint;
}

/** A query that waits until it is stopped, started under `runId`; resolves once the engine runs it, with the run's outcome still to come. */
async function startSleeping(sourceId: string, runId: string) {
  const { approval } = await te.ok('query.prepare', { sourceId, query: 'SLEEP' });
  const running = te.call('query.run', { token: approval!.token, runId });
  const deadline = Date.now() + 5_000;
  while (!te.engine.queries.isRunning(runId)) {
    if (Date.now() > deadline) throw new Error(`${runId} never started`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return { outcome: running };
}

for (const channel of ['query.cancel', 'chat.cancel'] as const) {
  test(`${channel}: a store that cannot stop a query is refused with UNSUPPORTED and the run goes on; one that can stops it`, async () => {
    const pg = await fakeSource(`Stop ${channel}`);
    await without('postgres', 'cancel', async () => {
      const running = await startSleeping(pg.id, 'run_cannot_stop');
      const refused = await te.call(channel, { runId: 'run_cannot_stop' });
      assert.ok(!refused.ok, 'refused');
      assert.is(refused.error.code, 'UNSUPPORTED');
      assert.equal(refused.error.details, { capability: 'cancel', sourceType: 'postgres' });
      assert.is(refused.error.message, await hintFor('cancel'), 'the error and the disabled Cancel button say the same');
      assert.ok(te.engine.queries.isRunning('run_cannot_stop'), 'the refusal did not stop the run');
      te.engine.queries.cancel('run_cannot_stop'); // the test's own clean-up, not a user's action
      await running.outcome;
    });
    const running = await startSleeping(pg.id, 'run_can_stop');
    assert.equal(await te.ok(channel, { runId: 'run_can_stop' }), { cancelled: true });
    const stopped = await running.outcome;
    assert.ok(!stopped.ok && stopped.error.code === 'CANCELLED', 'the run ended as cancelled');
  });
}

test('metadata.get: a store that does not list its schema is refused with UNSUPPORTED before reaching it; one that does answers', async () => {
  const pg = await fakeSource('Schema');
  await without('postgres', 'schemaBrowse', async () => {
    const refused = await te.call('metadata.get', { sourceId: pg.id });
    assert.ok(!refused.ok, 'refused');
    assert.is(refused.error.code, 'UNSUPPORTED');
    assert.equal(refused.error.details, { capability: 'schemaBrowse', sourceType: 'postgres' });
    assert.is(refused.error.message, await hintFor('schemaBrowse'));
  });
  assert.is(fake.count('fetchMetadata'), 0, 'the refused request never reached the store');
  const doc = await te.ok('metadata.get', { sourceId: pg.id });
  assert.is(doc.sourceId, pg.id);
});

test('sources.files: a store with files lists them (not refused); the refusal of one without is above', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'caps-files-'));
  writeFileSync(join(folder, 'numbers.csv'), 'n\n1\n2\n');
  try {
    const files = await te.ok('sources.create', { name: 'Files', type: 'file', connection: { paths: [join(folder, 'numbers.csv')] } });
    const listed = await te.call('sources.files', { id: files.id });
    assert.ok(listed.ok, `not refused: ${listed.ok ? '' : listed.error.code}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test.run();
