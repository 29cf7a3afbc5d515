import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EngineError } from '../../../../engine/errors';
import { Admission, RATE_WINDOW_MS, type AdmissionLimits, type Release } from '../../../../engine/pool/admission';

const LIMITS: AdmissionLimits = { sourceSlots: { control: 2, execute: 1 }, isolatedSourceSlots: { control: 2, execute: 3 }, sourceQueue: 2, laneCapacity: { control: 20, execute: 20 }, sourceJobsPerMinute: 0 };

function setup(overrides: Partial<AdmissionLimits> = {}) {
  let now = 1_000_000;
  const limits = { ...LIMITS, ...overrides };
  const admission = new Admission({ limits: () => limits, now: () => now, waitDeadlineMs: 60_000 });
  return { admission, limits, advance: (ms: number) => (now += ms) };
}

/** The error a refused entry throws, or 'admitted'. */
async function outcome(entry: Promise<Release>): Promise<EngineError | 'admitted'> {
  try {
    (await entry)();
    return 'admitted';
  } catch (error) {
    return error as EngineError;
  }
}

/** Whether the entry is admitted before everything already scheduled has run. */
async function admittedNow(entry: Promise<Release>): Promise<boolean> {
  const marker = Symbol('pending');
  return (await Promise.race([entry.then(() => true), new Promise((resolve) => setImmediate(() => resolve(marker)))])) === true;
}

test('a source holds at most its own slots; its next jobs wait in its queue and start as slots free', async () => {
  const { admission } = setup();
  const first = await admission.enter('execute', 'src_a');
  const second = admission.enter('execute', 'src_a');
  assert.is(await admittedNow(second), false, 'the second job of a one-slot source waits');
  first();
  assert.is(await admittedNow(second), true, 'and starts once the first ends');
  (await second)();
});

test('work on another source is admitted while one source has all its slots and a full queue', async () => {
  const { admission } = setup();
  const hung = await admission.enter('execute', 'src_hung');
  const queued = [admission.enter('execute', 'src_hung'), admission.enter('execute', 'src_hung')];
  const refused = await outcome(admission.enter('execute', 'src_hung'));
  assert.ok(refused instanceof EngineError && refused.code === 'RATE_LIMITED', 'the third waiting job is refused');
  const retry = (refused as EngineError).details?.retryAfterMs;
  assert.ok(typeof retry === 'number' && retry > 0, `retryAfterMs ${String(retry)}`);
  assert.match((refused as EngineError).message, /Try again in \d+ s\./);
  assert.is(await outcome(admission.enter('execute', 'src_other')), 'admitted');
  hung();
  for (const entry of queued) (await entry)();
});

test('a full lane refuses at once, with retry guidance, whatever the source', async () => {
  const { admission } = setup({ laneCapacity: { control: 3, execute: 3 }, sourceSlots: { control: 5, execute: 5 } });
  const held = [await admission.enter('control', 'a'), await admission.enter('control', null), await admission.enter('control', 'b')];
  const refused = await outcome(admission.enter('control', 'c'));
  assert.ok(refused instanceof EngineError && refused.code === 'RATE_LIMITED' && refused.details?.reason === 'LANE_FULL');
  assert.is(await outcome(admission.enter('execute', 'c')), 'admitted', 'the other lane has its own bound');
  held[0]!();
  assert.is(await outcome(admission.enter('control', 'c')), 'admitted', 'room again once a job ends');
});

test('a per-minute limit refuses the excess with the time until the window frees a start, then admits again', async () => {
  const { admission, advance } = setup({ sourceJobsPerMinute: 3, sourceSlots: { control: 10, execute: 10 } });
  for (let i = 0; i < 3; i++) {
    assert.is(await outcome(admission.enter('control', 'src_a')), 'admitted');
    advance(1_000);
  }
  const refused = await outcome(admission.enter('execute', 'src_a'));
  assert.ok(refused instanceof EngineError && refused.code === 'RATE_LIMITED' && refused.details?.reason === 'SOURCE_RATE');
  // The first start was 3 s ago: the window frees it in 57 s.
  assert.is((refused as EngineError).details?.retryAfterMs, RATE_WINDOW_MS - 3_000);
  assert.match((refused as EngineError).message, /3 queries a minute.*Try again in 57 s\./);
  assert.is(await outcome(admission.enter('control', 'src_b')), 'admitted', 'the limit is per source');
  advance(RATE_WINDOW_MS - 3_000);
  assert.is(await outcome(admission.enter('control', 'src_a')), 'admitted', 'the window moved on');
});

test('a waiting job whose caller gives up leaves the queue; the limits are read again for every job', async () => {
  const { admission, limits } = setup();
  const held = await admission.enter('execute', 'src_a');
  const controller = new AbortController();
  const waiting = admission.enter('execute', 'src_a', { signal: controller.signal });
  assert.is(admission.waiting(), 1);
  controller.abort();
  const cancelled = await outcome(waiting);
  assert.ok(cancelled instanceof EngineError && cancelled.code === 'CANCELLED');
  assert.is(admission.waiting(), 0);
  assert.is(await outcome(admission.enter('execute', 'src_a', { isolated: true })), 'admitted', 'a store in its own process has its own slots');
  limits.sourceSlots = { control: 2, execute: 2 };
  assert.is(await outcome(admission.enter('execute', 'src_a')), 'admitted', 'a raised limit applies to the next job');
  held();
});

test.run();
