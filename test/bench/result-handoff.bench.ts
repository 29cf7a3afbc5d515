/**
 * Result hand-off: a 100,000 x 10 result (ints, floats, decimals as text,
 * strings, dates, timestamps, booleans, nulls) from the handler's return to
 * renderer-ready, measured in the same run against a plain structuredClone of
 * the same rows. Steps:
 *   - router: `query.run` dispatched through the real router, whose output
 *     parse checks the contract (the envelope by zod, rows by one loop);
 *   - Electron IPC: v8 serialize + deserialize of the router's answer (the
 *     structured clone Electron does between main and renderer);
 *   - browser host: JSON.stringify of the bridge frame + JSON.parse (server.ts
 *     and bridge-client.ts over the WebSocket).
 * The per-cell zod parse the router did before is timed too, for comparison.
 * Target: router + Electron IPC <= 150 ms. Prints medians in milliseconds.
 *
 *   node --expose-gc --import tsx test/bench/result-handoff.bench.ts
 */
import os from 'node:os';
import v8 from 'node:v8';
import { z } from 'zod';
import type { QueryResult, RunResult } from '../../engine/contract/index';
import { createRouter, type Handlers } from '../../engine/router/router';
import { percentile } from './support/percentile';

const ROWS = 100_000;
const ROUNDS = 7;
const WARMUP_ROUNDS = 2;
const TARGET_MS = 150;

const CATEGORIES = ['books', 'music', 'garden', 'toys', 'kitchen', 'sports', 'tools', 'health'];

/** Cells as our connectors' normalizers produce them: JSON-safe, dates as ISO text, big decimals as text. */
function buildResult(): RunResult {
  const rows: unknown[][] = new Array(ROWS);
  const base = Date.UTC(2024, 0, 1);
  for (let i = 0; i < ROWS; i++) {
    const at = new Date(base + i * 61_000);
    rows[i] = [
      i + 1,
      `customer ${(i * 7919) % 50_000} ${i % 3 === 0 ? 'Ltd' : 'GmbH'}`,
      CATEGORIES[i % CATEGORIES.length]!,
      Math.round(((i * 37) % 100_000) * 1.37) / 100,
      `${(i * 12345) % 1_000_000}.${String(i % 100).padStart(2, '0')}`,
      at.toISOString().slice(0, 10),
      at.toISOString(),
      i % 5 === 0 ? null : (i * 31) % 1000,
      i % 2 === 0,
      i % 4 === 0 ? null : `note ${i % 97}: shipped from warehouse ${i % 13}`,
    ];
  }
  const columns = [
    ['id', 'integer', 'int4'],
    ['customer', 'string', 'text'],
    ['category', 'string', 'text'],
    ['amount', 'float', 'float8'],
    ['total', 'decimal', 'numeric'],
    ['ordered_on', 'date', 'date'],
    ['ordered_at', 'timestamptz', 'timestamptz'],
    ['quantity', 'integer', 'int4'],
    ['paid', 'boolean', 'bool'],
    ['note', 'string', 'text'],
  ].map(([name, type, nativeType]) => ({ name: name!, type: type as QueryResult['columns'][number]['type'], nativeType: nativeType! }));
  return {
    runId: 'run-bench',
    resultId: 'result-bench',
    sourceId: 'source-bench',
    query: 'SELECT * FROM orders',
    result: { columns, rows, rowCount: ROWS, truncated: false, truncatedBy: null, rowLimit: 1_000_000, elapsedMs: 812, notices: [] },
  };
}

const run = buildResult();
const handlers = { 'query.run': () => run } as unknown as Handlers;
const router = createRouter({ handlers, isLocked: () => false });
const dispatch = () => router.dispatch('query.run', { token: 'bench-token-0123456789' }, { host: 'electron' });

/** The rows schema the contract had before: a zod schema per cell. */
const perCellRows = z.array(z.array(z.unknown()));

const gc = (globalThis as { gc?: () => void }).gc;

interface Samples {
  wall: number[];
  /** CPU time of this process (all threads): on a shared, busy machine wall time mostly measures waiting for a core. */
  cpu: number[];
}

async function time(step: () => unknown): Promise<Samples> {
  for (let i = 0; i < WARMUP_ROUNDS; i++) await step();
  const samples: Samples = { wall: [], cpu: [] };
  for (let i = 0; i < ROUNDS; i++) {
    gc?.();
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    await step();
    samples.wall.push(performance.now() - started);
    const used = process.cpuUsage(cpuStart);
    samples.cpu.push((used.user + used.system) / 1000);
  }
  return samples;
}

const answer = await dispatch();
if (!answer.ok) throw new Error(`query.run failed in the bench: ${answer.error.message}`);
if ((answer.value as RunResult).result.rows.length !== ROWS) throw new Error('the router answered with a different number of rows');

const baseline = await time(() => structuredClone(run.result.rows));
const perCell = await time(() => perCellRows.parse(run.result.rows));
const routed = await time(dispatch);
const ipc = await time(() => v8.deserialize(v8.serialize(answer)));
const bridge = await time(() => JSON.parse(JSON.stringify({ id: 1, result: answer })) as unknown);
const electronTotal = await time(async () => v8.deserialize(v8.serialize(await dispatch())));
const browserTotal = await time(async () => JSON.parse(JSON.stringify({ id: 1, result: await dispatch() })) as unknown);

const p50 = (s: number[]) => percentile(s, 50);
const line = (step: string, s: Samples, target = '') =>
  `| ${step} | ${p50(s.wall).toFixed(1)} | ${(p50(s.wall) / p50(baseline.wall)).toFixed(2)} | ${p50(s.cpu).toFixed(1)} | ${(p50(s.cpu) / p50(baseline.cpu)).toFixed(2)} | ${target} |`;
const meets = (s: Samples) => `wall ${p50(s.wall) <= TARGET_MS ? 'yes' : 'NO'}, CPU ${p50(s.cpu) <= TARGET_MS ? 'yes' : 'NO'}`;

console.log(`## Result hand-off: ${ROWS.toLocaleString('en')} x 10 result, handler to renderer-ready\n`);
console.log(`Method: medians of ${ROUNDS} runs after ${WARMUP_ROUNDS} warm-up runs, each on a clean heap; ratio = median / structuredClone's median.\n`);
console.log('| step | wall p50 ms | wall ratio | CPU p50 ms | CPU ratio | target |');
console.log('|---|---:|---:|---:|---:|---|');
console.log(line('baseline: structuredClone(rows)', baseline));
console.log(line('before: per-cell zod parse of rows (reference)', perCell));
console.log(line('router: query.run output parse (envelope zod + rows loop)', routed));
console.log(line('Electron IPC: v8 serialize + deserialize', ipc));
console.log(line('browser host: JSON.stringify + JSON.parse', bridge));
console.log(line('total, Electron (router + IPC)', electronTotal, `<= ${TARGET_MS} ms: ${meets(electronTotal)}`));
console.log(line('total, browser host (router + JSON)', browserTotal));
console.log(`\nLoad average when the run ended: ${os.loadavg()[0]!.toFixed(2)} (${os.cpus().length} cores).`);
