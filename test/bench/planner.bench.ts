/**
 * Offline planner latency over the accuracy question set (Chinook on
 * PostgreSQL and MariaDB, the MongoDB samples), with the metadata the real
 * connectors produce. Warm: the schema index is built once per metadata
 * document and reused, as in the app. Cold: every question on a fresh copy of
 * the document (index built each time). Prints a markdown table with p50 and
 * p95 in milliseconds; the target is p95 <= 50 ms.
 *
 *   node --import tsx test/bench/planner.bench.ts
 */
import type { MetadataDocument } from '../../engine/contract/index';
import { planQuestion } from '../../engine/planner/planner';
import type { PlannerDialect, PlannerTurn } from '../../engine/planner/types';
import { CHINOOK_QUESTIONS } from '../fixtures/planner/chinook';
import { MONGO_QUESTIONS } from '../fixtures/planner/mongo';
import { createMysqlDatabase, createPgDatabase } from '../support/databases';
import { loadSampleData } from '../support/mongo-wire/fixtures';
import { startMongoWireServer } from '../support/mongo-wire/server';
import { mongoMetadata, mysqlMetadata, pgMetadata } from '../support/planner-metadata';

const ROUNDS = 20;
const TARGET_P95_MS = 50;

interface Case {
  question: string;
  history: string[];
  metadata: MetadataDocument;
  dialect: PlannerDialect;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Plans a case (its history first, as the app does), returning the time of the last question alone. */
function time(c: Case, metadata: MetadataDocument): number {
  const turns: PlannerTurn[] = [];
  for (const earlier of c.history) {
    const r = planQuestion({ question: earlier, metadata, dialect: c.dialect, rowLimit: 1000, history: turns });
    if (r.ok) turns.push({ question: earlier, plan: r.plan });
  }
  const start = performance.now();
  planQuestion({ question: c.question, metadata, dialect: c.dialect, rowLimit: 1000, history: turns });
  return performance.now() - start;
}

const pg = createPgDatabase('chinook');
const my = createMysqlDatabase('chinook');
const server = await startMongoWireServer();
try {
  loadSampleData(server);
  const stores: Array<{ name: string; cases: Case[] }> = [];
  const pgMeta = await pgMetadata(pg);
  const myMeta = await mysqlMetadata(my);
  stores.push({ name: 'PostgreSQL (Chinook)', cases: CHINOOK_QUESTIONS.map((q) => ({ question: q.question, history: q.history ?? [], metadata: pgMeta, dialect: 'postgres' })) });
  stores.push({ name: 'MariaDB (Chinook)', cases: CHINOOK_QUESTIONS.map((q) => ({ question: q.question, history: q.history ?? [], metadata: myMeta, dialect: 'mysql' })) });
  const mongo = new Map<string, MetadataDocument>();
  for (const db of new Set(MONGO_QUESTIONS.map((q) => q.database))) mongo.set(db, await mongoMetadata(server, db));
  stores.push({ name: 'MongoDB (samples)', cases: MONGO_QUESTIONS.map((q) => ({ question: q.question, history: q.history ?? [], metadata: mongo.get(q.database)!, dialect: 'mongodb' })) });

  const lines = [
    `Offline planner latency, ${ROUNDS} rounds per question (target p95 <= ${TARGET_P95_MS} ms)`,
    '',
    '| store | questions | warm p50 ms | warm p95 ms | cold p50 ms | cold p95 ms | max ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  let worst = 0;
  for (const store of stores) {
    for (const c of store.cases) time(c, c.metadata);
    const warm: number[] = [];
    const cold: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of store.cases) {
        warm.push(time(c, c.metadata));
        cold.push(time(c, structuredClone(c.metadata)));
      }
    }
    worst = Math.max(worst, percentile(warm, 95));
    const f = (n: number) => n.toFixed(2);
    lines.push(`| ${store.name} | ${store.cases.length} | ${f(percentile(warm, 50))} | ${f(percentile(warm, 95))} | ${f(percentile(cold, 50))} | ${f(percentile(cold, 95))} | ${f(Math.max(...warm, ...cold))} |`);
  }
  lines.push('', worst <= TARGET_P95_MS ? `warm p95 within target (${worst.toFixed(2)} ms)` : `warm p95 ABOVE target: ${worst.toFixed(2)} ms`);
  console.log(lines.join('\n'));
} finally {
  await server.close();
  pg.drop();
  my.drop();
}
