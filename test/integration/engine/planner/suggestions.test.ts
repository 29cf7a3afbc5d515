import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MetadataDocument } from '../../../../engine/contract/metadata.contract';
import { planQuestion } from '../../../../engine/planner/planner';
import { createMysqlDatabase, createPgDatabase, type TestDatabase } from '../../../support/databases';
import { mysqlMetadata, pgMetadata } from '../../../support/planner-metadata';
import { assertHelpfulSuggestions, declineOf } from '../../../support/planner-suggestions';

// Declines on schemas the planner was not written for (spider-dev11), with metadata read from
// real PostgreSQL and MariaDB: every rephrasing offered plans, names a real table in people's
// words, and its SQL runs on the database.
const QUESTIONS = ['what is the meaning of life', 'why are so many of them abandoned?', 'how many zorbles per flurp', 'predict next month'];

const databases: TestDatabase[] = [];
test.after(() => databases.forEach((db) => db.drop()));

function assertRuns(db: TestDatabase, suggestion: string, metadata: MetadataDocument, dialect: 'postgres' | 'mysql'): void {
  const planned = planQuestion({ question: suggestion, metadata, dialect, rowLimit: 100 });
  assert.ok(planned.ok);
  if (planned.ok) db.sql(`EXPLAIN ${planned.query}`);
}

test('dog_kennels on PostgreSQL: helpful, answerable suggestions that run', async () => {
  const db = createPgDatabase('spider_dog_kennels');
  databases.push(db);
  const metadata = await pgMetadata(db);
  for (const question of QUESTIONS) {
    const { reason, suggestions } = declineOf(question, metadata);
    assertHelpfulSuggestions(suggestions, metadata);
    for (const s of suggestions) assertRuns(db, s, metadata, 'postgres');
    assert.match(reason, /Try rephrasing as "/);
  }
  assert.match(declineOf('how many zorbles per flurp', metadata).reason, /did not understand "zorbles", "flurp"/);
  assert.match(declineOf('why are the dogs so heavy', metadata).suggestions[0] ?? '', /dogs/i, 'the table the question names comes first');
  const perTable = QUESTIONS.flatMap((q) => declineOf(q, metadata).suggestions).filter((s) => / per /.test(s));
  assert.not.ok(perTable.some((s) => /per breeds|per owners|per sizes/.test(s)), `a table named in the plural reads in the singular after "per": ${perTable.join(' | ')}`);
});

test('student_transcripts_tracking on MariaDB: the same holds', async () => {
  const db = createMysqlDatabase('spider_student_transcripts_tracking');
  databases.push(db);
  const metadata = await mysqlMetadata(db);
  for (const question of QUESTIONS) {
    const { suggestions } = declineOf(question, metadata, 'mysql');
    assertHelpfulSuggestions(suggestions, metadata, 'mysql');
    for (const s of suggestions) assertRuns(db, s, metadata, 'mysql');
  }
});

test.run();
