/**
 * A host that first shows its page (the browser host) hands the pool a promise instead of
 * `prewarm: true`: no thread or child process starts until it settles, so they do not take
 * the CPU the start-up needs; once it settles they start as with `prewarm: true`.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createJobPool, type JobPool } from '../../../../engine/pool/pool';

const DEADLINE_MS = 60_000;

async function waitForWarm(pool: JobPool): Promise<void> {
  const until = Date.now() + DEADLINE_MS;
  while (pool.stats().threads < 2 || pool.stats().processes < 2) {
    if (Date.now() > until) throw new Error(`the pool never warmed up: ${JSON.stringify(pool.stats())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function trigger(): { promise: Promise<void>; settle(): void } {
  let settle = () => {};
  const promise = new Promise<void>((resolve) => (settle = resolve));
  return { promise, settle };
}

test('prewarm: true starts the child processes at once (the contrast for the tests below)', async () => {
  const pool = createJobPool({ maxThreads: 2, prewarm: true });
  try {
    assert.is(pool.stats().processes, 2);
  } finally {
    await pool.close();
  }
});

test('with a promise, nothing starts before it settles, and everything does after', async () => {
  const start = trigger();
  const pool = createJobPool({ maxThreads: 2, prewarm: start.promise });
  try {
    for (let i = 0; i < 5; i++) await nextTurn();
    assert.equal({ threads: pool.stats().threads, processes: pool.stats().processes }, { threads: 0, processes: 0 });
    start.settle();
    await waitForWarm(pool);
  } finally {
    await pool.close();
  }
});

test('a pool closed before its warm-up was due closes at once and starts nothing afterwards', async () => {
  const start = trigger();
  const pool = createJobPool({ maxThreads: 2, prewarm: start.promise });
  await pool.close();
  start.settle();
  for (let i = 0; i < 5; i++) await nextTurn();
  assert.equal({ threads: pool.stats().threads, processes: pool.stats().processes }, { threads: 0, processes: 0 });
});

test('a rejected promise still warms the pool (the warm-up is an optimisation, not a condition)', async () => {
  const pool = createJobPool({ maxThreads: 2, prewarm: Promise.reject(new Error('the page never came')) });
  try {
    await waitForWarm(pool);
  } finally {
    await pool.close();
  }
});

test.run();
