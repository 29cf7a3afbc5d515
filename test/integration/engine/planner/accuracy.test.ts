/**
 * Accuracy of the offline planner on real data: Chinook on PostgreSQL and
 * MariaDB, the MongoDB samples on the wire-protocol test server, with the
 * metadata the real connectors produce. Each question's planned query and
 * its hand-written reference run against the same database; the result sets
 * must match. Every planned query must also pass its store's guardrail.
 * Prints a markdown summary (per store: total, correct, declined, wrong).
 */
import { EJSON, type Document } from 'bson';
import { MongoClient } from 'mongodb';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateDuckdbQuery } from '../../../../engine/connectors/files/guardrail';
import { validateMongoQuery } from '../../../../engine/connectors/mongodb/guardrail';
import { validateMysqlQuery } from '../../../../engine/connectors/mysql/guardrail';
import { pgPolicy, type PgPolicy } from '../../../../engine/connectors/postgres/allow-list';
import { indexCatalog } from '../../../../engine/connectors/postgres/catalog';
import { validatePostgresQuery } from '../../../../engine/connectors/postgres/guardrail';
import type { MetadataDocument, Verdict } from '../../../../engine/contract/index';
import { planQuestion } from '../../../../engine/planner/planner';
import type { PlannerDialect, PlannerResult, PlannerTurn } from '../../../../engine/planner/types';
import { CHINOOK_QUESTIONS } from '../../../fixtures/planner/chinook';
import { compareResults, type Row } from '../../../fixtures/planner/compare';
import { MONGO_QUESTIONS } from '../../../fixtures/planner/mongo';
import { createMysqlDatabase, createPgDatabase, type TestDatabase } from '../../../support/databases';
import { loadSampleData } from '../../../support/mongo-wire/fixtures';
import { startMongoWireServer, type MongoWireServer } from '../../../support/mongo-wire/server';
import { mongoMetadata, mysqlMetadata, pgMetadata } from '../../../support/planner-metadata';
import { readLiveCatalog } from '../../../support/pg-catalog';

const ROW_LIMIT = 1000;
/** Below this share of correct answers the test fails: a regression a user would notice. */
const MIN_ACCURACY = 0.85;

interface Outcome {
  id: string;
  status: 'correct' | 'declined' | 'wrong';
  detail: string;
}
const outcomes = new Map<string, Outcome[]>();

let pgDb: TestDatabase;
let myDb: TestDatabase;
let pgClient: pg.Client;
let myConn: mysql.Connection;
let mongoServer: MongoWireServer;
let mongoClient: MongoClient;
let pgMeta: MetadataDocument;
/** The guardrail's view of the Chinook database: its live catalog. */
let pgGuard: PgPolicy;
let myMeta: MetadataDocument;
const mongoMeta = new Map<string, MetadataDocument>();

/** Plans the conversation's earlier questions, then the question, as the app would. */
function plan(question: string, history: string[] | undefined, metadata: MetadataDocument, dialect: PlannerDialect): PlannerResult {
  const turns: PlannerTurn[] = [];
  for (const earlier of history ?? []) {
    const result = planQuestion({ question: earlier, metadata, dialect, rowLimit: ROW_LIMIT, history: turns });
    if (!result.ok) return result;
    turns.push({ question: earlier, plan: result.plan });
  }
  return planQuestion({ question, metadata, dialect, rowLimit: ROW_LIMIT, history: turns });
}

function assertAllowed(verdict: Verdict, query: string, id: string): void {
  assert.ok(verdict.allowed, `${id}: the guardrail refused the planned query (${verdict.reasons.map((r) => r.message).join('; ')}):\n${query}`);
}

test.before(async () => {
  pgDb = createPgDatabase('chinook');
  myDb = createMysqlDatabase('chinook');
  pgMeta = await pgMetadata(pgDb);
  pgGuard = pgPolicy(indexCatalog(await readLiveCatalog(pgDb.name)), []);
  myMeta = await mysqlMetadata(myDb);
  pgClient = new pg.Client({ host: pgDb.host, port: pgDb.port, user: pgDb.user, database: pgDb.name });
  await pgClient.connect();
  myConn = await mysql.createConnection({ host: myDb.host, port: myDb.port, user: myDb.user, database: myDb.name, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  mongoServer = await startMongoWireServer();
  loadSampleData(mongoServer);
  mongoClient = new MongoClient(mongoServer.uri());
  await mongoClient.connect();
  for (const db of new Set(MONGO_QUESTIONS.map((q) => q.database))) mongoMeta.set(db, await mongoMetadata(mongoServer, db));
});

test.after(async () => {
  await pgClient?.end();
  await myConn?.end();
  await mongoClient?.close();
  await mongoServer?.close();
  pgDb?.drop();
  myDb?.drop();
  const lines = ['', '| store | total | correct | declined | wrong | accuracy |', '|---|---:|---:|---:|---:|---:|'];
  for (const [store, list] of outcomes) {
    const count = (s: Outcome['status']) => list.filter((o) => o.status === s).length;
    lines.push(`| ${store} | ${list.length} | ${count('correct')} | ${count('declined')} | ${count('wrong')} | ${((100 * count('correct')) / list.length).toFixed(1)}% |`);
  }
  const misses = [...outcomes].flatMap(([store, list]) => list.filter((o) => o.status !== 'correct').map((o) => `- ${store} ${o.id}: ${o.status} (${o.detail})`));
  console.log([...lines, '', ...misses].join('\n'));
});

async function runSql(store: 'postgres' | 'mysql', sql: string): Promise<Row[]> {
  if (store === 'postgres') return (await pgClient.query({ text: sql, rowMode: 'array' })).rows as Row[];
  const [rows] = await myConn.query({ sql, rowsAsArray: true });
  return rows as Row[];
}

for (const store of ['postgres', 'mysql'] as const) {
  test(`${store === 'postgres' ? 'PostgreSQL' : 'MariaDB'} Chinook: planned queries pass the guardrail and answer like the reference`, async () => {
    const metadata = store === 'postgres' ? pgMeta : myMeta;
    const list: Outcome[] = [];
    outcomes.set(store === 'postgres' ? 'PostgreSQL (Chinook)' : 'MariaDB (Chinook)', list);
    for (const q of CHINOOK_QUESTIONS) {
      const result = plan(q.question, q.history, metadata, store);
      if (!result.ok) {
        list.push({ id: q.id, status: 'declined', detail: result.reason });
        continue;
      }
      assertAllowed(store === 'postgres' ? await validatePostgresQuery(result.query, pgGuard) : validateMysqlQuery(result.query, { database: myDb.name, flavor: 'mariadb' }), result.query, q.id);
      const expected = await runSql(store, q.reference[store]);
      const actual = await runSql(store, result.query);
      const comparison = compareResults(expected, actual, q.ordered === true);
      list.push({ id: q.id, status: comparison.equal ? 'correct' : 'wrong', detail: comparison.equal ? '' : `${comparison.why}; ran: ${result.query.replace(/\s+/g, ' ')}` });
    }
    const correct = list.filter((o) => o.status === 'correct').length;
    assert.ok(list.length >= 40, 'at least 40 questions');
    assert.ok(correct / list.length >= MIN_ACCURACY, `${correct}/${list.length} correct on ${store}`);
  });
}

test('DuckDB rendering of every Chinook question passes the DuckDB guardrail', async () => {
  for (const q of CHINOOK_QUESTIONS) {
    const result = plan(q.question, q.history, pgMeta, 'duckdb');
    if (!result.ok) continue;
    const tables = pgMeta.databases.flatMap((d) => d.schemas.flatMap((s) => s.objects.map((o) => o.name)));
    // The Chinook metadata comes from PostgreSQL, so the planner qualifies names with its schema, public:
    // here that plays the file source's database name, which qualified names may use.
    assertAllowed(await validateDuckdbQuery(result.query, { tables, database: 'public' }), result.query, q.id);
  }
});

async function runMongo(database: string, text: string): Promise<Row[]> {
  const doc = EJSON.parse(text, { relaxed: true }) as Document;
  const collection = mongoClient.db((doc.database as string | undefined) ?? database).collection(doc.collection as string);
  const rows = (docs: Document[]): Row[] => docs.map((d) => Object.values(flatten(d)));
  switch (doc.operation) {
    case 'count':
      return [[await collection.countDocuments(doc.filter ?? {})]];
    case 'find':
      return rows(await collection.find(doc.filter ?? {}, { projection: doc.projection, sort: doc.sort, limit: doc.limit ?? 0 }).toArray());
    case 'aggregate':
      return rows(await collection.aggregate(doc.pipeline).toArray());
    case 'distinct':
      return (await collection.distinct(doc.field, doc.filter ?? {})).map((v) => [v]);
    default:
      throw new Error(`unexpected operation ${String(doc.operation)}`);
  }
}

/** Leaf values of a result document, in order: `{_id: 'CA', n: 3}` and `{state: 'CA', count: 3}` compare alike. */
function flatten(doc: Document, out: Record<string, unknown> = {}, prefix = ''): Record<string, unknown> {
  for (const [k, v] of Object.entries(doc)) {
    // The single group of a whole-collection $group says nothing.
    if (k === '_id' && v === null && prefix === '') continue;
    if (v !== null && typeof v === 'object' && !(v instanceof Date) && !Array.isArray(v) && !('_bsontype' in v)) flatten(v as Document, out, `${prefix}${k}.`);
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

test('MongoDB samples: planned queries pass the guardrail and answer like the reference', async () => {
  const list: Outcome[] = [];
  outcomes.set('MongoDB (samples)', list);
  for (const q of MONGO_QUESTIONS) {
    const metadata = mongoMeta.get(q.database)!;
    const result = plan(q.question, q.history, metadata, 'mongodb');
    if (!result.ok) {
      list.push({ id: q.id, status: 'declined', detail: result.reason });
      continue;
    }
    assertAllowed(validateMongoQuery(result.query, { database: q.database }), result.query, q.id);
    const expected = await runMongo(q.database, JSON.stringify({ database: q.database, ...q.reference }));
    const actual = await runMongo(q.database, result.query);
    const comparison = compareResults(expected, actual, q.ordered === true);
    list.push({ id: q.id, status: comparison.equal ? 'correct' : 'wrong', detail: comparison.equal ? '' : `${comparison.why}; ran: ${result.query.replace(/\s+/g, ' ')}` });
  }
  const correct = list.filter((o) => o.status === 'correct').length;
  assert.ok(list.length >= 15, 'at least 15 questions');
  assert.ok(correct / list.length >= MIN_ACCURACY, `${correct}/${list.length} correct on MongoDB`);
});

test.run();
