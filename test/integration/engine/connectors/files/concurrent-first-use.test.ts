import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTestEngine, type TestEngine } from '../../../../support/engine';
import { MemorySecretStore } from '../../../../../engine/secrets/secret-store';
import { testdataDir } from '../../../../support/tmp';

// A new file source is opened on its page (which loads its schema) and tested
// at once: both uses prepare the source, and the first import must serve both.
let t: TestEngine;
test.before(async () => {
  t = await openTestEngine({ unlocked: true, secrets: new MemorySecretStore() });
});
test.after(async () => {
  await t?.close();
});

test('the schema and a connection test asked for together on a new file source both succeed, with one import', async () => {
  for (let i = 0; i < 3; i++) {
    const source = await t.ok('sources.create', { name: `Titanic ${i}`, type: 'file', connection: { paths: [path.join(testdataDir, 'files/duckdb-csv/titanic.csv')] } });
    const [metadata, tested] = await Promise.all([t.call('metadata.get', { sourceId: source.id }), t.call('sources.test', { id: source.id })]);
    assert.ok(metadata.ok, `schema: ${metadata.ok ? '' : metadata.error.message}`);
    assert.ok(tested.ok && tested.value.ok, `test: ${JSON.stringify(tested)}`);
    assert.ok(metadata.ok && metadata.value.databases.flatMap((d) => d.schemas.flatMap((s) => s.objects)).some((o) => o.name === 'titanic'), 'the table is listed');
    const imports = (await t.ok('audit.list', { sourceId: source.id, action: 'file.imported' })).events;
    assert.is(imports.length, 1, 'imported once');
  }
});

test.run();
