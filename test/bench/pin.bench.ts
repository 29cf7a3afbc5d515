/**
 * What one PIN guess costs with the profile verifier's scrypt parameters
 * (DEFAULT_KDF), and what that makes an offline search of every 6-digit PIN
 * cost, for someone holding a copy of the database file. The attempt counter
 * makes online guessing far slower still (1 h per guess after 12 failures).
 * CPU time is printed next to wall time: on a shared machine the wall clock
 * includes waiting for a core.
 *
 *   node --import tsx test/bench/pin.bench.ts [guesses]
 */
import { DEFAULT_KDF, hashSecret, verifySecret } from '../../engine/auth/secret-hash';

const GUESSES = Number(process.argv[2] ?? 12);
const WARMUP = 2;
const SEARCH_SPACE = 1_000_000;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const stored = await hashSecret('480613');
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < WARMUP + GUESSES; i++) {
    const guess = String(100_000 + i);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const ok = await verifySecret(guess, stored);
    const used = process.cpuUsage(cpuStarted);
    if (ok) throw new Error('a wrong guess verified');
    if (i < WARMUP) continue;
    wall.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  // The search estimate uses CPU time: it is what a guess costs a core, without this machine's queueing.
  const cpuP50 = percentile(cpu, 50);
  const days = (ms: number) => ((SEARCH_SPACE * ms) / 86_400_000).toFixed(1);
  const memoryMb = (128 * DEFAULT_KDF.N * DEFAULT_KDF.r) / 1024 ** 2;
  console.log(`\nPIN verifier: scrypt N=2^${Math.log2(DEFAULT_KDF.N)}, r=${DEFAULT_KDF.r}, p=${DEFAULT_KDF.p} (${memoryMb} MiB per guess); ${GUESSES} wrong guesses after ${WARMUP} warm-ups\n`);
  console.log('| per guess p50 (ms) | per guess p95 (ms) | CPU per guess p50 (ms) | all 10^6 six-digit PINs, one core (days) | half of them on average (days) |');
  console.log('|---:|---:|---:|---:|---:|');
  console.log(`| ${percentile(wall, 50).toFixed(0)} | ${percentile(wall, 95).toFixed(0)} | ${cpuP50.toFixed(0)} | ${days(cpuP50)} | ${days(cpuP50 / 2)} |`);
}

await main();
