/**
 * The spider-dev11 development set (../shared/testdata/nl2sql/spider-dev11):
 * its 11 schemas loaded into PostgreSQL with the metadata the real connector
 * produces, every question planned by a planner you pass, the planned SQL run
 * on the database, and the result scored against the gold rows with the
 * execution-match rule (engine/eval/match.ts). Used by test/bench/spider.bench.ts
 * and by dev loops:
 *
 *   const records = await scoreSpider(planWithOfflinePlanner);
 *   console.log(spiderReport(records));
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import type { EvalOutcome, MetadataDocument } from '../../engine/contract/index';
import { matchResult } from '../../engine/eval/match';
import { calibrate, calibrationTable, countOutcomes, percent } from '../../engine/eval/summary';
import { planQuestion, type PlannerResult } from '../../engine/planner/planner';
import { createPgDatabase, SPIDER_DATABASES, type SpiderDatabase, type TestDatabase } from './databases';
import { pgMetadata } from './planner-metadata';
import { testdataDir } from './tmp';

export const SPIDER_QUESTIONS_FILE = path.join(testdataDir, 'nl2sql/spider-dev11/questions.jsonl');
export const HARDNESS = ['easy', 'medium', 'hard', 'extra'] as const;
export type Hardness = (typeof HARDNESS)[number];

/** The planner's row limit here: above every gold result (30 rows at most), as the app's default is. */
const ROW_LIMIT = 1_000;
/** A planned query that runs longer than this is an error, not a hang. */
const STATEMENT_TIMEOUT_MS = 10_000;

const SpiderQuestion = z.object({
  id: z.string(),
  db: z.enum(SPIDER_DATABASES),
  question: z.string(),
  gold_sql: z.string(),
  hardness: z.enum(HARDNESS),
  ordered: z.boolean(),
  columns: z.array(z.string()),
  rows: z.array(z.array(z.unknown())),
});
export type SpiderQuestion = z.infer<typeof SpiderQuestion>;

export function readSpiderQuestions(): SpiderQuestion[] {
  return fs
    .readFileSync(SPIDER_QUESTIONS_FILE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => SpiderQuestion.parse(JSON.parse(line)));
}

/** One loaded schema: its database, the connector's metadata, and a read-only connection. */
export interface SpiderSchema {
  db: SpiderDatabase;
  database: TestDatabase;
  metadata: MetadataDocument;
  client: pg.Client;
}

export interface SpiderSet {
  schemas: Map<SpiderDatabase, SpiderSchema>;
  close(): Promise<void>;
}

async function openSchema(db: SpiderDatabase): Promise<SpiderSchema> {
  const database = createPgDatabase(`spider_${db}`);
  try {
    const metadata = await pgMetadata(database);
    const client = new pg.Client({ host: database.host, port: database.port, user: database.user, database: database.name });
    await client.connect();
    await client.query(`SET statement_timeout = ${STATEMENT_TIMEOUT_MS}; SET default_transaction_read_only = on`);
    return { db, database, metadata, client };
  } catch (error) {
    database.drop();
    throw error;
  }
}

/** Loads the schemas (all 11 unless `databases` says which); close() drops them. */
export async function openSpider(databases: readonly SpiderDatabase[] = SPIDER_DATABASES): Promise<SpiderSet> {
  const schemas = new Map<SpiderDatabase, SpiderSchema>();
  const close = async () => {
    for (const schema of schemas.values()) {
      await schema.client.end().catch(() => {});
      schema.database.drop();
    }
  };
  try {
    for (const db of databases) schemas.set(db, await openSchema(db));
  } catch (error) {
    await close();
    throw error;
  }
  return { schemas, close };
}

export type SpiderPlanner = (question: string, metadata: MetadataDocument) => PlannerResult;

/** The built-in offline planner as the app calls it for a PostgreSQL source. */
export const planWithOfflinePlanner: SpiderPlanner = (question, metadata) => planQuestion({ question, metadata, dialect: 'postgres', rowLimit: ROW_LIMIT });

export interface SpiderRecord {
  id: string;
  db: SpiderDatabase;
  hardness: Hardness;
  question: string;
  outcome: EvalOutcome;
  /** How the planned query scored: null when the planner declined or crashed. */
  answer: 'correct' | 'wrong' | 'error' | null;
  match: 'exact' | 'superset' | null;
  /** `crash`: the planner threw; `rejected`: the database refused the planned SQL. */
  failure: 'crash' | 'rejected' | null;
  confidence: number | null;
  query: string | null;
  detail: string;
  goldSql: string;
  planMs: number;
}

/** Plans one question, runs the planned SQL, and scores it against the gold rows. */
export async function scoreQuestion(schema: SpiderSchema, q: SpiderQuestion, plan: SpiderPlanner): Promise<SpiderRecord> {
  const base = { id: q.id, db: q.db, hardness: q.hardness, question: q.question, goldSql: q.gold_sql };
  const started = performance.now();
  let planned: PlannerResult;
  try {
    planned = plan(q.question, schema.metadata);
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message).split('\n').slice(0, 4).join('\n') : String(error);
    return { ...base, outcome: 'error', answer: null, match: null, failure: 'crash', confidence: null, query: null, detail, planMs: performance.now() - started };
  }
  const planMs = performance.now() - started;
  if (!planned.ok) return { ...base, outcome: 'declined', answer: null, match: null, failure: null, confidence: null, query: null, detail: planned.reason, planMs };
  const answered = { ...base, confidence: planned.confidence, query: planned.query, planMs };
  let rows: unknown[][];
  try {
    rows = (await schema.client.query({ text: planned.query, rowMode: 'array' })).rows as unknown[][];
  } catch (error) {
    return { ...answered, outcome: 'error', answer: 'error', match: null, failure: 'rejected', detail: (error as Error).message };
  }
  const match = matchResult({ gold: q.rows, actual: rows, ordered: q.ordered });
  if (match.outcome === 'mismatch') return { ...answered, outcome: 'wrong', answer: 'wrong', match: null, failure: null, detail: match.why };
  return { ...answered, outcome: 'correct', answer: 'correct', match: match.outcome, failure: null, detail: match.why };
}

export interface ScoreOptions {
  /** Only these schemas (all 11 by default). */
  databases?: readonly SpiderDatabase[];
  /** Only the questions this keeps. */
  filter?: (q: SpiderQuestion) => boolean;
  /** Schemas already loaded (a dev loop scoring again and again); otherwise loaded and dropped here. */
  set?: SpiderSet;
}

/** Every question of the development set (or the ones chosen), planned by `plan` and scored, in file order. */
export async function scoreSpider(plan: SpiderPlanner, options: ScoreOptions = {}): Promise<SpiderRecord[]> {
  const wanted = new Set(options.databases ?? SPIDER_DATABASES);
  const questions = readSpiderQuestions().filter((q) => wanted.has(q.db) && (options.filter?.(q) ?? true));
  const set = options.set ?? (await openSpider([...wanted].filter((db) => questions.some((q) => q.db === db))));
  try {
    const records: SpiderRecord[] = [];
    for (const q of questions) {
      const schema = set.schemas.get(q.db);
      if (!schema) throw new Error(`the schema ${q.db} is not loaded`);
      records.push(await scoreQuestion(schema, q, plan));
    }
    return records;
  } finally {
    if (!options.set) await set.close();
  }
}

const share = (part: number, whole: number) => `${percent(whole === 0 ? 0 : part / whole)} (${part}/${whole})`;

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** The markdown section BENCHMARKS.md carries: accuracy by hardness, outcomes, calibration. */
export function spiderReport(records: readonly SpiderRecord[]): string {
  const correct = (list: readonly SpiderRecord[]) => list.filter((r) => r.outcome === 'correct').length;
  const counts = countOutcomes(records);
  const byHardness = HARDNESS.map((h) => {
    const list = records.filter((r) => r.hardness === h);
    const exact = list.filter((r) => r.match === 'exact').length;
    return `| ${h} | ${list.length} | ${share(correct(list), list.length)} | ${exact} | ${correct(list) - exact} |`;
  });
  const exact = records.filter((r) => r.match === 'exact').length;
  const rejected = records.filter((r) => r.failure === 'rejected').length;
  const crashes = records.filter((r) => r.failure === 'crash').length;
  const planMs = records.map((r) => r.planMs);
  return [
    `Execution accuracy: ${share(correct(records), records.length)}; exact ${share(exact, records.length)}, with extra columns ${correct(records) - exact}`,
    '',
    '| hardness | questions | correct | exact | with extra columns |',
    '|---|---:|---:|---:|---:|',
    ...byHardness,
    '',
    `Outcomes: correct ${counts.correct}, wrong ${counts.wrong}, declined ${counts.declined}, error ${counts.error} (SQL the database rejected ${rejected}, planner crashes ${crashes})`,
    '',
    calibrationTable(calibrate(records, records.length)),
    '',
    `Planning time per question: p50 ${percentile(planMs, 50).toFixed(1)} ms, p95 ${percentile(planMs, 95).toFixed(1)} ms, max ${Math.max(0, ...planMs).toFixed(1)} ms`,
  ].join('\n');
}
