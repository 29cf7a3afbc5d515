import { test } from 'uvu';
import * as assert from 'uvu/assert';
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
  const capabilities = descriptors.postgres.capabilities;
  descriptors.postgres.capabilities = { ...capabilities, explain: false };
  try {
    const pg = await te.ok('sources.create', { name: 'No explain', type: 'postgres', connection: { host: 'fake', port: 5432, database: 'fake', user: 'reader' }, password: 'pw' });
    assert.is(pg.capabilities.explain, false);
    const notes = (await te.ok('sources.types')).find((t) => t.type === 'postgres')!.notes;
    assert.match(notes.find((n) => n.capability === 'explain')!.hint ?? '', /cannot estimate a query before it runs/);
    const prepared = await te.ok('query.prepare', { sourceId: pg.id, query: 'SELECT 3' });
    assert.is(prepared.explain, null);
    assert.ok(prepared.approval, 'it can still be approved, without an estimate');
    assert.is(fake.count('explain'), 0, 'EXPLAIN never reached the store');
  } finally {
    descriptors.postgres.capabilities = capabilities;
  }
});

test.run();
