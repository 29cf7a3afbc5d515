import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChannelInput } from '../../../../engine/contract/index';
import { openTestEngine, type TestEngine } from '../../../support/engine';

// History lists every conversation, whatever source is selected, and finds one by what was asked in it
// (issue 14: switching source made history seem to vanish).
let te: TestEngine;
let sampleId = '';
let otherId = '';
let asked = '';
let budget = '';

test.before(async () => {
  te = await openTestEngine({ unlocked: true });
  sampleId = (await te.ok('sources.addSample')).id;
  // Never connected: a conversation can be opened on it all the same.
  otherId = (await te.ok('sources.create', { name: 'Warehouse', type: 'postgres', url: 'postgres://reader@127.0.0.1:1/warehouse?sslmode=disable' })).id;
  asked = (await te.ok('chat.ask', { sourceId: sampleId, question: 'How many tracks are there?' })).sessionId;
  await te.ok('chat.ask', { sessionId: asked, question: 'Only the Rock genre' });
  await te.ok('chat.renameSession', { sessionId: asked, title: 'Track counts' });
  budget = (await te.ok('chat.createSession', { sourceId: otherId, title: 'Budget 100%_off' })).id;
});
test.after(async () => {
  await te?.close();
});

const ids = async (input: ChannelInput<'chat.listSessions'>) => (await te.ok('chat.listSessions', input)).map((s) => s.id).sort();

test('without a source, the list holds the conversations of every source, each with its source', async () => {
  const all = await te.ok('chat.listSessions', {});
  assert.equal(all.map((s) => [s.id, s.sourceId]).sort(), [[asked, sampleId], [budget, otherId]].sort());
  assert.equal(await ids({ sourceId: otherId }), [budget]);
});

test('search finds a conversation by a question asked in it (any case), not only by its title', async () => {
  assert.equal(await ids({ search: 'rock GENRE' }), [asked]);
  assert.equal(await ids({ search: 'track counts' }), [asked]);
  assert.equal(await ids({ search: 'rock', sourceId: otherId }), []);
  assert.equal(await ids({ search: 'no such words' }), []);
});

test('search text is literal: % and _ match themselves, not anything', async () => {
  assert.equal(await ids({ search: '%_' }), [budget]);
  assert.equal(await ids({ search: '_' }), [budget]);
});

test('archived conversations are found only when asked for', async () => {
  await te.ok('chat.archiveSession', { sessionId: budget, archived: true });
  assert.equal(await ids({ search: 'budget' }), []);
  assert.equal(await ids({ search: 'budget', includeArchived: true }), [budget]);
});

test.run();
