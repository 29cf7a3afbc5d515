/**
 * Approved queries run at 20, 50 and 100 at once on one PostgreSQL source
 * (Chinook), through the router and the worker pool as the app runs them:
 * each run consumes its approval, records the run and stores the result.
 * Tokens are prepared first and not timed. Reports throughput (runs per
 * second of wall time) and latency per run (p50 / p95 / max), plus how many
 * runs the pool refused (RATE_LIMITED: past the source's queue) and failed
 * otherwise. Issue 12's baseline before per-source lanes: 69 / 90 / 106 q/s
 * with p95 0.6 / 1.0 / 1.6 s.
 *
 *   node --import tsx test/bench/throughput.bench.ts [rounds]
 */
import os from 'node:os';
import { MemorySecretStore } from '../../engine/secrets/secret-store';
import { createPgDatabase } from '../support/databases';
import { openTestEngine } from '../support/engine';

/** Runs per level: this many times the concurrency. */
const ROUNDS = Number(process.argv[2] ?? 5);
const LEVELS = [20, 50, 100];
const WARMUP = 20;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const db = createPgDatabase('chinook');
// The pool's own default of threads, as the app has (tests pin 2).
const te = await openTestEngine({ unlocked: true, secrets: new MemorySecretStore(), maxThreads: undefined });
try {
  const sourceId = (await te.ok('sources.create', { name: 'Chinook', type: 'postgres', url: `${db.url}?sslmode=disable` })).id;
  await te.ok('sources.test', { id: sourceId });
  await te.ok('sources.confirmRisks', { id: sourceId });
  const settings = await te.ok('settings.get');

  let n = 0;
  const prepare = async () => {
    const id = (n++ % 3000) + 1;
    const prepared = await te.ok('query.prepare', { sourceId, query: `SELECT t.name, t.milliseconds, a.title FROM track t JOIN album a ON a.album_id = t.album_id WHERE t.track_id = ${id}` });
    if (!prepared.approval) throw new Error(`no approval: ${prepared.explainError ?? prepared.verdict.reasons.map((r) => r.message).join('; ')}`);
    return prepared.approval.token;
  };

  /** Runs `tokens` with `concurrency` in flight; resolves with each run's latency and the refusals. */
  const runAll = async (tokens: string[], concurrency: number) => {
    const latencies: number[] = [];
    const refused: Record<string, number> = {};
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < tokens.length) {
          const token = tokens[next++]!;
          const t0 = performance.now();
          const result = await te.call('query.run', { token });
          if (result.ok) latencies.push(performance.now() - t0);
          else refused[result.error.code] = (refused[result.error.code] ?? 0) + 1;
        }
      }),
    );
    return { latencies, refused, wallMs: performance.now() - started };
  };

  await runAll(await Promise.all(Array.from({ length: WARMUP }, prepare)), 10);

  console.log(`Approved runs at once on one PostgreSQL source (Chinook, a one-row join per run), ${ROUNDS} × the concurrency per level, through the router and the worker pool`);
  console.log(`- Per-source limits (Settings): ${settings.sourceConcurrentQueries ?? '?'} queries at once, ${settings.sourceQueriesPerMinute ?? 'no'} per minute`);
  console.log(`- Load average before: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
  console.log('');
  console.log('| at once | runs | runs/s | p50 ms | p95 ms | max ms | refused |');
  console.log('|---:|---:|---:|---:|---:|---:|---|');
  for (const level of LEVELS) {
    const tokens: string[] = [];
    for (let i = 0; i < level * ROUNDS; i++) tokens.push(await prepare());
    const { latencies, refused, wallMs } = await runAll(tokens, level);
    const refusals = Object.entries(refused).map(([code, count]) => `${count} ${code}`).join(', ') || 'none';
    console.log(
      `| ${level} | ${latencies.length} | ${(latencies.length / (wallMs / 1000)).toFixed(0)} | ${percentile(latencies, 50).toFixed(0)} | ${percentile(latencies, 95).toFixed(0)} | ${Math.max(...latencies).toFixed(0)} | ${refusals} |`,
    );
  }
  console.log('');
  console.log(`- Load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
} finally {
  await te.close();
  db.drop();
}
