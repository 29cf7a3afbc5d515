import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MetadataDocument } from '../../../../engine/contract/metadata.contract';
import builtInSynonyms from '../../../../engine/planner/data/synonyms.json' with { type: 'json' };
import { BUILT_IN, SynonymGroupsSchema } from '../../../../engine/planner/lexicon';
import { link, type Item } from '../../../../engine/planner/linker';
import { planQuestion } from '../../../../engine/planner/planner';
import { indexSchema } from '../../../../engine/planner/schema-index';
import { stem, tokenize } from '../../../../engine/planner/text';
import { field } from '../../../fixtures/planner/metadata';

/** A school schema whose names none of the built-in synonym groups mention. */
function schoolMetadata(): MetadataDocument {
  const table = (name: string, columns: string[]) => ({
    name,
    kind: 'table' as const,
    rowEstimate: 100,
    comment: null,
    fields: [field(['id', 'integer', { primaryKey: true, nullable: false }]), ...columns.map((c) => field([c, 'string']))],
    foreignKeys: [],
    origin: null,
  });
  return {
    sourceId: 'school',
    sourceType: 'postgres',
    serverVersion: '16',
    fetchedAt: '2024-01-01T00:00:00.000Z',
    databases: [{ name: 'school', schemas: [{ name: 'public', objects: [table('student', ['full_name']), table('incident', ['summary']), table('timetable', ['teach', 'room'])] }] }],
    cached: false,
  };
}

const school = schoolMetadata();

function itemFor(question: string, word: string): Item {
  const item = link(indexSchema(school), tokenize(question), question).find((i) => i.text === word);
  if (!item) assert.unreachable(`no item "${word}" in "${question}"`);
  return item!;
}

const tableScore = (item: Item, name: string) => item.tables.find((t) => t.table.name === name)?.score ?? 0;

test('the built-in synonym groups are data: the file parses, and its groups link clients to customers', () => {
  assert.ok(SynonymGroupsSchema.safeParse(builtInSynonyms.groups).success);
  assert.ok(builtInSynonyms.groups.length > 0);
  assert.ok(BUILT_IN.synonymous(stem('clients'), stem('customer')));
  assert.not.ok(BUILT_IN.synonymous(stem('ticket'), stem('incident')));
});

test("a source's own synonym group links a word that linked to nothing before", () => {
  const ask = (lexicon?: { synonyms: string[][] }) => planQuestion({ question: 'how many tickets are there', metadata: school, dialect: 'postgres', rowLimit: 100, ...(lexicon ? { lexicon } : {}) });
  const before = ask();
  assert.not.ok(before.ok && before.query.includes('"incident"'), 'tickets linked to incident without the group');
  const after = ask({ synonyms: [['incident', 'ticket', 'case']] });
  if (!after.ok) assert.unreachable(`declined: ${after.reason}`);
  else assert.match(after.query, /FROM "public"\."incident"/);
});

test('a source group of a single word is refused with a reason, not thrown', () => {
  const result = planQuestion({ question: 'how many tickets', metadata: school, dialect: 'postgres', rowLimit: 100, lexicon: { synonyms: [['incident']] } });
  assert.is(result.ok, false);
  if (!result.ok) assert.match(result.reason, /synonym groups/);
});

test('an inflected verb links through its base form: "taught" reaches a column named teach', () => {
  const taught = itemFor('which rooms were taught', 'taught');
  const link_ = taught.fields.find((f) => f.field.name === 'teach');
  assert.ok(link_, `taught linked to ${JSON.stringify(taught.fields.map((f) => f.field.name))}`);
  assert.ok(link_!.score < 1 && link_!.score >= 0.9, `score ${link_!.score}`);
});

test('a WordNet synonym links, below the exact name and below the hand-made groups', () => {
  const byName = tableScore(itemFor('how many students', 'students'), 'student');
  const bySynonym = tableScore(itemFor('how many pupils', 'pupils'), 'student');
  assert.is(byName, 1);
  assert.ok(bySynonym > 0, 'pupils did not link to student');
  assert.ok(bySynonym < 0.62, `WordNet synonym scored ${bySynonym}, as much as a hand-made group`);
});

test.run();
