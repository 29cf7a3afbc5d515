/**
 * Question shapes the offline planner reads on any schema, each asked on two
 * public schemas it was not written for (spider-dev11's singer, orchestra,
 * museum_visit, poker_player, dog_kennels and course_teach, loaded into
 * PostgreSQL). The questions are our own wording, not the set's; each planned
 * query must pass the read-only guardrail, run, and return what a hand-written
 * reference query returns.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pgPolicy, type PgPolicy } from '../../../../engine/connectors/postgres/allow-list';
import { indexCatalog } from '../../../../engine/connectors/postgres/catalog';
import { validatePostgresQuery } from '../../../../engine/connectors/postgres/guardrail';
import mysql from 'mysql2/promise';
import { validateMysqlQuery } from '../../../../engine/connectors/mysql/guardrail';
import { matchResult } from '../../../../engine/eval/match';
import { planQuestion } from '../../../../engine/planner/planner';
import { createMysqlDatabase } from '../../../support/databases';
import { mysqlMetadata } from '../../../support/planner-metadata';
import { readLiveCatalog } from '../../../support/pg-catalog';
import { planWithOfflinePlanner, openSpider, type SpiderSet } from '../../../support/spider';

interface Case {
  shape: string;
  db: 'singer' | 'orchestra' | 'museum_visit' | 'poker_player' | 'dog_kennels' | 'course_teach';
  question: string;
  reference: string;
  ordered?: boolean;
}

const CASES: Case[] = [
  { shape: 'a quoted value, negated, on the column named', db: 'orchestra', question: 'Which conductors do not have the nationality "USA"? Give their names.', reference: `SELECT name FROM conductor WHERE nationality <> 'USA'` },
  { shape: 'a quoted value, negated, on the column named', db: 'singer', question: 'Show the names of singers whose citizenship is not "United States".', reference: `SELECT name FROM singer WHERE citizenship <> 'United States'` },
  { shape: 'a year stored as a number', db: 'orchestra', question: 'How many orchestras were founded before 2005?', reference: `SELECT count(*) FROM orchestra WHERE year_of_founded < 2005` },
  { shape: 'a year stored as a number', db: 'museum_visit', question: 'How many museums were opened after 2010?', reference: `SELECT count(*) FROM museum WHERE open_year > 2010` },
  { shape: 'count of different values', db: 'singer', question: 'How many different citizenships do singers have?', reference: `SELECT count(DISTINCT citizenship) FROM singer` },
  { shape: 'count of different values', db: 'orchestra', question: 'Count the number of distinct record companies of orchestras.', reference: `SELECT count(DISTINCT record_company) FROM orchestra` },
  { shape: 'the row with the extreme value', db: 'singer', question: 'What is the citizenship of the singer with the lowest net worth?', reference: `SELECT citizenship FROM singer ORDER BY net_worth_millions ASC LIMIT 1` },
  { shape: 'the row with the extreme value', db: 'poker_player', question: 'Return the best finish of the poker player with the lowest earnings.', reference: `SELECT best_finish FROM poker_player ORDER BY earnings ASC LIMIT 1` },
  { shape: 'several aggregates of one column', db: 'orchestra', question: 'What are the minimum and maximum age of conductors?', reference: `SELECT min(age), max(age) FROM conductor` },
  { shape: 'several aggregates of one column', db: 'poker_player', question: 'What is the average and maximum earnings of poker players?', reference: `SELECT avg(earnings), max(earnings) FROM poker_player` },
  { shape: 'a number equal to one of several', db: 'orchestra', question: 'Show the names of conductors aged 40 or 41.', reference: `SELECT name FROM conductor WHERE age IN (40, 41)` },
  { shape: 'a number equal to one of several', db: 'singer', question: 'List the names of singers whose birth year is 1948 or 1949.', reference: `SELECT name FROM singer WHERE birth_year IN (1948, 1949)` },
  { shape: 'values shared by at least N rows', db: 'orchestra', question: 'Which nationalities are shared by at least two conductors?', reference: `SELECT nationality FROM conductor GROUP BY nationality HAVING count(*) >= 2` },
  { shape: 'values shared by at least N rows', db: 'singer', question: 'Which citizenships are shared by at least two singers?', reference: `SELECT citizenship FROM singer GROUP BY citizenship HAVING count(*) >= 2` },
  { shape: 'a column beside a count', db: 'orchestra', question: 'Show the nationalities and the number of conductors.', reference: `SELECT nationality, count(*) FROM conductor GROUP BY nationality` },
  { shape: 'a column beside a count', db: 'singer', question: 'Show the citizenships and the number of singers.', reference: `SELECT citizenship, count(*) FROM singer GROUP BY citizenship` },
  { shape: 'in descending order of a column', db: 'singer', question: 'List the names of singers in descending order of birth year.', reference: `SELECT name FROM singer ORDER BY birth_year DESC, singer_id`, ordered: true },
  { shape: 'in descending order of a column', db: 'museum_visit', question: 'List the names of museums in descending order of open year.', reference: `SELECT name FROM museum ORDER BY open_year DESC, museum_id`, ordered: true },
  { shape: 'a comparison with the column between cue and number', db: 'museum_visit', question: 'How many visitors below age 40 are there?', reference: `SELECT count(*) FROM visitor WHERE age < 40` },
  { shape: 'a comparison with the column between cue and number', db: 'orchestra', question: 'How many conductors above age 42 are there?', reference: `SELECT count(*) FROM conductor WHERE age > 42` },
  { shape: 'compared with the average', db: 'dog_kennels', question: 'How many dogs have a weight above the average?', reference: `SELECT count(*) FROM dogs WHERE weight > (SELECT avg(weight) FROM dogs)` },
  { shape: 'compared with the average', db: 'museum_visit', question: 'Which museums have a number of staff below the average? Give their names.', reference: `SELECT name FROM museum WHERE num_of_staff < (SELECT avg(num_of_staff) FROM museum)` },
  { shape: 'rows without related rows (anti-join)', db: 'dog_kennels', question: 'How many owners do not have any dogs?', reference: `SELECT count(*) FROM owners o WHERE NOT EXISTS (SELECT 1 FROM dogs d WHERE d.owner_id = o.owner_id)` },
  { shape: 'rows without related rows (anti-join)', db: 'course_teach', question: 'Which teachers have not been arranged any course? List their names.', reference: `SELECT name FROM teacher t WHERE NOT EXISTS (SELECT 1 FROM course_arrange c WHERE c.teacher_id = t.teacher_id)` },
  { shape: 'rows with related rows, counted once', db: 'dog_kennels', question: 'What is the average age of the dogs that had any treatment?', reference: `SELECT avg(age) FROM dogs WHERE dog_id IN (SELECT dog_id FROM treatments)` },
  { shape: 'rows with related rows, counted once', db: 'museum_visit', question: 'How many visitors who made any visit are there?', reference: `SELECT count(*) FROM visitor v WHERE EXISTS (SELECT 1 FROM visit x WHERE x.visitor_id = v.id)` },
  { shape: 'both X and Y (INTERSECT)', db: 'dog_kennels', question: 'In which states do both owners and professionals live?', reference: `SELECT state FROM owners INTERSECT SELECT state FROM professionals` },
  { shape: 'both X and Y (INTERSECT)', db: 'singer', question: 'Which citizenships have both singers born before 1945 and singers born after 1950?', reference: `SELECT citizenship FROM singer WHERE birth_year < 1945 INTERSECT SELECT citizenship FROM singer WHERE birth_year > 1950` },
  { shape: 'X but not Y (EXCEPT)', db: 'dog_kennels', question: 'Which states have owners but not professionals?', reference: `SELECT state FROM owners EXCEPT SELECT state FROM professionals` },
  { shape: 'X but not Y (EXCEPT)', db: 'singer', question: 'Which citizenships have singers born before 1945 but not singers born after 1950?', reference: `SELECT citizenship FROM singer WHERE birth_year < 1945 EXCEPT SELECT citizenship FROM singer WHERE birth_year > 1950` },
  { shape: 'X but not Y (EXCEPT)', db: 'orchestra', question: 'Which record companies have orchestras founded before 2003 but not orchestras founded after 2003?', reference: `SELECT record_company FROM orchestra WHERE year_of_founded < 2003 EXCEPT SELECT record_company FROM orchestra WHERE year_of_founded > 2003` },
];

let set: SpiderSet;
const guards = new Map<string, PgPolicy>();

test.before(async () => {
  set = await openSpider(['singer', 'orchestra', 'museum_visit', 'poker_player', 'dog_kennels', 'course_teach']);
  for (const [db, schema] of set.schemas) guards.set(db, pgPolicy(indexCatalog(await readLiveCatalog(schema.database.name)), []));
});

test.after(async () => {
  await set?.close();
});

for (const c of CASES) {
  test(`${c.shape} (${c.db}): ${c.question}`, async () => {
    const schema = set.schemas.get(c.db)!;
    const planned = planWithOfflinePlanner(c.question, schema.metadata);
    assert.ok(planned.ok, planned.ok ? '' : planned.reason);
    if (!planned.ok) return;
    const verdict = await validatePostgresQuery(planned.query, guards.get(c.db)!);
    assert.ok(verdict.allowed, `the read-only guardrail refused it: ${verdict.reasons.map((r) => r.message).join('; ')}\n${planned.query}`);
    const run = async (sql: string) => (await schema.client.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
    const gold = await run(c.reference);
    assert.ok(gold.length > 0, 'the reference answer is not empty');
    const match = matchResult({ gold, actual: await run(planned.query), ordered: c.ordered ?? false });
    assert.is(match.outcome, 'exact', `${match.why}\n${planned.query}`);
  });
}

test('MariaDB: subquery shapes pass the MySQL guardrail and answer like the reference', async () => {
  const db = createMysqlDatabase('spider_dog_kennels');
  const conn = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, database: db.name });
  try {
    const metadata = await mysqlMetadata(db);
    for (const c of CASES.filter((x) => x.db === 'dog_kennels')) {
      const planned = planQuestion({ question: c.question, metadata, dialect: 'mysql', rowLimit: 1000 });
      assert.ok(planned.ok, planned.ok ? '' : planned.reason);
      if (!planned.ok) continue;
      const verdict = validateMysqlQuery(planned.query, { database: db.name, flavor: 'mariadb' });
      assert.ok(verdict.allowed, `${c.question}: ${verdict.reasons.map((r) => r.message).join('; ')}\n${planned.query}`);
      const run = async (sql: string) => (await conn.query({ sql, rowsAsArray: true }))[0] as unknown[][];
      const match = matchResult({ gold: await run(c.reference), actual: await run(planned.query), ordered: false });
      assert.is(match.outcome, 'exact', `${c.question}: ${match.why}\n${planned.query}`);
    }
  } finally {
    await conn.end();
    db.drop();
  }
});

test('shapes are each asked on two schemas', () => {
  const schemasPerShape = new Map<string, Set<string>>();
  for (const c of CASES) schemasPerShape.set(c.shape, (schemasPerShape.get(c.shape) ?? new Set()).add(c.db));
  for (const [shape, dbs] of schemasPerShape) assert.ok(dbs.size >= 2, shape);
});

test.run();
