import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { closedPort } from '../../../support/net';

// Issue 14: a source showed "Not tested" in the list right after a successful
// test in the add-source form, and its superuser login carried no warning there.
let db: TestDatabase;
let te: TestEngine;

test.before(async () => {
  db = createPgDatabase('chinook');
  te = await openTestEngine({ unlocked: true });
});
test.after(async () => {
  await te?.close();
  db?.drop();
});

test('saving exactly what the form tested gives the source that status, its server version and its login risks', async () => {
  const draft = { name: 'Tested in the form', type: 'postgres' as const, url: `${db.url}?sslmode=disable` };
  const tested = await te.ok('sources.testDraft', draft);
  assert.is(tested.ok, true);
  const source = await te.ok('sources.create', draft);
  assert.is(source.status, 'CONNECTED');
  assert.is(source.canWrite, true, 'the test server logs in as a superuser');
  assert.ok(source.risks.length > 0, 'the risks are known at once, so the list warns');
  assert.ok(source.serverVersion);
  const listed = (await te.ok('sources.list')).find((s) => s.id === source.id);
  assert.is(listed?.status, 'CONNECTED');
  const { events } = await te.ok('audit.list', { sourceId: source.id, action: 'source.tested' });
  assert.is(events[0]?.details.via, 'form');
});

test('a failed test in the form is the new source status too; details that were not tested stay untested', async () => {
  const port = await closedPort();
  const down = { name: 'Nothing listens', type: 'postgres' as const, url: `postgres://postgres@127.0.0.1:${port}/chinook?sslmode=disable` };
  assert.is((await te.ok('sources.testDraft', down)).ok, false);
  const failed = await te.ok('sources.create', down);
  assert.is(failed.status, 'FAILED');
  assert.ok(failed.lastError);

  await te.ok('sources.testDraft', { name: 'Other', type: 'postgres', url: `${db.url}?sslmode=disable` });
  // Another host name for the same server: not what was tested.
  const untested = await te.ok('sources.create', { name: 'Changed after the test', type: 'postgres', url: `postgres://${db.user}@localhost:${db.port}/${db.name}?sslmode=disable` });
  assert.is(untested.status, 'UNTESTED');
});

test.run();
