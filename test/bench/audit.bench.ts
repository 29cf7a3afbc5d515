/**
 * Verifying the tamper-evident audit log: the HMAC chain over 10,000 events,
 * its anchor and its head, as done at every open and by `polystore audit
 * verify`. Also what recording one event costs with the chain, and listing
 * the Audit page's first 100 events with their context. A temporary
 * profile folder on disk; the key comes from an in-memory store so the
 * numbers are the log's, not the keychain's.
 *
 *   node --import tsx test/bench/audit.bench.ts [events]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../engine/audit/audit-log';
import { MemorySecretStore } from '../../engine/secrets/secret-store';
import { openDatabase } from '../../engine/store/db';

const EVENTS = Number(process.argv[2] ?? 10_000);
const RUNS = 7;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polystore-audit-bench-'));
  try {
    const db = openDatabase(path.join(dir, 'polystore.db'));
    const log = new AuditLog(db, { actor: () => 'Owner', host: 'bench', secrets: new MemorySecretStore() });
    await log.open();
    const recordStarted = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      log.record({ action: i % 3 ? 'query.executed' : 'query.approved', sourceId: 'src_bench', sessionId: 'ses_bench', details: { runId: `run_${i}`, rowCount: i, truncated: false, elapsedMs: 12 } });
    }
    const recordMs = (performance.now() - recordStarted) / EVENTS;
    await log.flush();
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      const result = await log.verify();
      const used = process.cpuUsage(cpuStarted);
      if (result.status !== 'ok' || result.events !== EVENTS) throw new Error(result.message);
      times.push(performance.now() - started);
      cpu.push((used.user + used.system) / 1000);
    }
    // The Audit log page's first screen: 100 events, each with its context (source name, conversation, question) looked up.
    const listed: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      if (log.list({ limit: 100 }).events.length !== 100) throw new Error('the page did not fill');
      listed.push(performance.now() - started);
    }
    db.close();
    console.log(`\nAudit page: list 100 events with their context (${RUNS} runs): p50 ${percentile(listed, 50).toFixed(2)} ms, max ${Math.max(...listed).toFixed(2)} ms`);
    console.log(`\nAudit chain: verify ${EVENTS.toLocaleString('en')} events (${RUNS} runs), and record one event\n`);
    console.log('| events | verify p50 (ms) | verify max (ms) | CPU p50 (ms) | per event (µs) | record one event (ms) |');
    console.log('|---:|---:|---:|---:|---:|---:|');
    const p50 = percentile(times, 50);
    console.log(`| ${EVENTS.toLocaleString('en')} | ${p50.toFixed(1)} | ${Math.max(...times).toFixed(1)} | ${percentile(cpu, 50).toFixed(1)} | ${((p50 * 1000) / EVENTS).toFixed(1)} | ${recordMs.toFixed(3)} |`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
