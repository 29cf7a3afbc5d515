/**
 * Host memory around a 1,000,000-row result (issue 12: it must return to
 * within 20% of its baseline once the result is dropped). An engine with a
 * PostgreSQL source runs a warm-up, then an approved 1M-row query through the
 * router (the rows come back to the host, are stored, and the chart is
 * recommended), the reply is dropped, and memory is read after two forced
 * collections and a short idle (for the allocator to return pages). Resident
 * set size (RSS) is what the OS counts; the V8 heap and external buffers are
 * shown next to it. Run with --expose-gc (scripts/bench.mjs does).
 *
 *   node --expose-gc --import tsx test/bench/memory.bench.ts
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemorySecretStore } from '../../engine/secrets/secret-store';
import { createPgDatabase } from '../support/databases';
import { openTestEngine } from '../support/engine';

const ROWS = 1_000_000;
const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

interface Reading {
  rss: number;
  heap: number;
  external: number;
}

async function settle(): Promise<Reading> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await sleep(200);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external + m.arrayBuffers };
}

const mb = (n: number) => `${(n / MB).toFixed(0)}`;

const db = createPgDatabase('empty');
const te = await openTestEngine({ unlocked: true, secrets: new MemorySecretStore() });
try {
  const sourceId = (await te.ok('sources.create', { name: 'Series', type: 'postgres', url: `${db.url}?sslmode=disable` })).id;
  await te.ok('sources.test', { id: sourceId });
  await te.ok('sources.confirmRisks', { id: sourceId });
  await te.ok('sources.update', { id: sourceId, settings: { rowLimit: ROWS, maxResultBytes: 1024 * MB, statementTimeoutMs: 600_000 } });

  const run = async (rows: number) => {
    const prepared = await te.ok('query.prepare', { sourceId, query: `SELECT g AS n, md5(g::text) AS label FROM generate_series(1, ${rows}) AS g`, maxRows: rows });
    if (!prepared.approval) throw new Error(`no approval: ${prepared.explainError ?? ''}`);
    const ran = await te.ok('query.run', { token: prepared.approval.token, maxRows: rows });
    return ran.result.rowCount;
  };

  // Warm-up: the pool's threads, the connector and the stores are loaded, as in an app that has run a query.
  for (let i = 0; i < 3; i++) await run(1000);
  const baseline = await settle();

  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  const count = await run(ROWS);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const after = await settle();
  await sleep(2000);
  const later = await settle();

  console.log(`A ${count.toLocaleString('en')}-row result (two columns: an integer and a 32-character text) run through the router on PostgreSQL, then dropped; memory of the host process (the engine and its worker threads), MB`);
  console.log(`- Load average: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}; the query took ${seconds.toFixed(1)} s end to end`);
  console.log('');
  console.log('| when | RSS | V8 heap used | external + array buffers |');
  console.log('|---|---:|---:|---:|');
  console.log(`| baseline (after a warm-up, collected) | ${mb(baseline.rss)} | ${mb(baseline.heap)} | ${mb(baseline.external)} |`);
  console.log(`| peak during the 1M-row run (RSS sampled every 50 ms) | ${mb(peak)} | | |`);
  console.log(`| result dropped, collected | ${mb(after.rss)} | ${mb(after.heap)} | ${mb(after.external)} |`);
  console.log(`| 2 s later, collected | ${mb(later.rss)} | ${mb(later.heap)} | ${mb(later.external)} |`);
  console.log('');
  const ratio = later.rss / baseline.rss;
  console.log(`RSS after / baseline: ${ratio.toFixed(2)} (target: at most 1.20) — ${ratio <= 1.2 ? 'met' : 'NOT met'}; V8 heap after / baseline: ${(later.heap / baseline.heap).toFixed(2)}`);
} finally {
  await te.close();
  db.drop();
}
