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
 * The app itself opens every result through `chat.result` (the stored rows,
 * parsed from SQLite, plus the chart recommendation), timed the same way,
 * with the engine's work before the hand-off shown separately.
 * Then transports other than row arrays, for the next design step: a columnar
 * format (test/bench/support/columnar-rows.ts) read lazily or decoded back
 * to rows, and the stored JSON text passed through and parsed in the page.
 * Target: router + Electron IPC <= 150 ms. Prints medians in milliseconds.
 *
 *   node --expose-gc --import tsx test/bench/result-handoff.bench.ts
 */
import os from 'node:os';
import v8 from 'node:v8';
import { z } from 'zod';
import { recommendChart } from '../../engine/charts/recommend';
import type { QueryResult, RunResult } from '../../engine/contract/index';
import { createRouter, type Handlers } from '../../engine/router/router';
import { cellAt, decodeColumnar, encodeColumnar } from './support/columnar-rows';
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
const { columns, rows } = run.result;
const chart = recommendChart(run.result, {});
/** What the engine's chat.result handler answers for a stored result (engine/chat/chat-service.ts). */
const stored = { columns, rows, rowCount: ROWS, truncated: false, chart, expiredAt: null };
const handlers = { 'query.run': () => run, 'chat.result': () => stored } as unknown as Handlers;
const router = createRouter({ handlers, isLocked: () => false });
const dispatch = () => router.dispatch('query.run', { token: 'bench-token-0123456789' }, { host: 'electron' });
const open = () => router.dispatch('chat.result', { resultId: 'result-bench' }, { host: 'electron' });
/** The stored rows as query_results.rows_json holds them. */
const rowsJson = JSON.stringify(rows);

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
const opened = await open();
if (!opened.ok || (opened.value as { rows: unknown[] }).rows !== rows) throw new Error('chat.result did not hand the rows on as they are');
const storedParse = await time(() => JSON.parse(rowsJson) as unknown);
const recommend = await time(() => recommendChart(run.result, {}));
const openRouted = await time(open);
const openElectron = await time(async () => v8.deserialize(v8.serialize(await open())));

const encoded = encodeColumnar(rows, columns.length);
const firstScreen = (data: typeof encoded) => {
  for (let r = 0; r < 40; r++) for (let c = 0; c < columns.length; c++) cellAt(data, r, c);
};
const encode = await time(() => encodeColumnar(rows, columns.length));
const encodedIpc = await time(() => v8.deserialize(v8.serialize(encoded)));
const decode = await time(() => decodeColumnar(encoded));
const columnarLazy = await time(() => firstScreen(v8.deserialize(v8.serialize(encodeColumnar(rows, columns.length))) as typeof encoded));
const columnarRows = await time(() => decodeColumnar(v8.deserialize(v8.serialize(encodeColumnar(rows, columns.length))) as typeof encoded));
const textIpc = await time(() => v8.deserialize(v8.serialize(rowsJson)));
const textParse = await time(() => JSON.parse(rowsJson) as unknown);
const textTotal = await time(() => JSON.parse(v8.deserialize(v8.serialize(rowsJson)) as string) as unknown);

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
console.log(line('app: chat.result output parse (envelope zod + rows loop)', openRouted));
console.log(line('app: total, Electron (chat.result + IPC)', openElectron, `<= ${TARGET_MS} ms: ${meets(openElectron)}`));
console.log(line('engine before the hand-off: JSON.parse of the stored rows', storedParse));
console.log(line('engine before the hand-off: chart recommendation', recommend));

console.log(`\n### Other transports for the same rows (engine to page over Electron IPC)\n`);
console.log('| step | wall p50 ms | wall ratio | CPU p50 ms | CPU ratio | target |');
console.log('|---|---:|---:|---:|---:|---|');
console.log(line('columnar: encode rows to columns', encode));
console.log(line('columnar: v8 serialize + deserialize', encodedIpc));
console.log(line('columnar: decode back to row arrays (page)', decode));
console.log(line('total, columnar read in place (first 40 rows)', columnarLazy, `<= ${TARGET_MS} ms: ${meets(columnarLazy)}`));
console.log(line('total, columnar decoded to row arrays', columnarRows, `<= ${TARGET_MS} ms: ${meets(columnarRows)}`));
console.log(line('stored JSON text: v8 serialize + deserialize', textIpc));
console.log(line('stored JSON text: JSON.parse (page)', textParse));
console.log(line('total, stored JSON text parsed in the page', textTotal, `<= ${TARGET_MS} ms: ${meets(textTotal)}`));
console.log(`\nLoad average when the run ended: ${os.loadavg()[0]!.toFixed(2)} (${os.cpus().length} cores).`);
