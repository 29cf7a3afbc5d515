import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CircuitBreaker, unreachableError, type BreakerPolicy } from '../../../../../engine/connectors/shared/circuit-breaker';

const POLICY: BreakerPolicy = { failureThreshold: 3, coolDownMs: 10_000, maxCoolDownMs: 25_000 };

function breaker() {
  const clock = { t: 1_000_000 };
  return { clock, b: new CircuitBreaker(() => clock.t, POLICY) };
}

function failTimes(b: CircuitBreaker, n: number) {
  for (let i = 0; i < n; i++) {
    assert.ok(b.tryAcquire(), `call ${i + 1} let through`);
    b.onTransientFailure();
  }
}

test('closed: failures under the threshold keep it closed, and a success forgets them', () => {
  const { b } = breaker();
  failTimes(b, 2);
  assert.is(b.snapshot.state, 'closed');
  assert.is(b.snapshot.consecutiveFailures, 2);
  b.onSuccess();
  failTimes(b, 2);
  assert.is(b.snapshot.state, 'closed', 'the count started again after the success');
});

test('closed -> open after N consecutive transient failures; calls then fail fast until the cool-down ends', () => {
  const { b, clock } = breaker();
  failTimes(b, 3);
  const s = b.snapshot;
  assert.is(s.state, 'open');
  assert.is(s.retryAt, clock.t + 10_000);
  assert.not.ok(b.tryAcquire());
  clock.t += 9_999;
  assert.not.ok(b.tryAcquire(), 'still cooling down');
});

test('open -> half-open after the cool-down lets exactly one probe through', () => {
  const { b, clock } = breaker();
  failTimes(b, 3);
  clock.t += 10_000;
  assert.is(b.snapshot.state, 'half-open');
  assert.ok(b.tryAcquire(), 'the probe');
  assert.not.ok(b.tryAcquire(), 'a second call waits for the probe');
});

test('half-open -> closed when the probe succeeds', () => {
  const { b, clock } = breaker();
  failTimes(b, 3);
  clock.t += 10_000;
  assert.ok(b.tryAcquire());
  b.onSuccess();
  assert.equal(b.snapshot, { state: 'closed', consecutiveFailures: 0, failingSince: null, retryAt: null });
  assert.ok(b.tryAcquire());
});

test('half-open -> open again when the probe fails, with a doubled cool-down capped at the maximum', () => {
  const { b, clock } = breaker();
  failTimes(b, 3);
  clock.t += 10_000;
  assert.ok(b.tryAcquire());
  b.onTransientFailure();
  assert.is(b.snapshot.state, 'open');
  assert.is(b.snapshot.retryAt, clock.t + 20_000);
  clock.t += 20_000;
  assert.ok(b.tryAcquire());
  b.onTransientFailure();
  assert.is(b.snapshot.retryAt, clock.t + 25_000, 'capped at maxCoolDownMs');
});

test('a probe that ends with no verdict (cancelled, a query error) frees the slot for the next probe', () => {
  const { b, clock } = breaker();
  failTimes(b, 3);
  clock.t += 10_000;
  assert.ok(b.tryAcquire());
  b.onNeutral();
  assert.ok(b.tryAcquire());
});

test('the fail-fast message names the store, the source, the failures, their span and when it retries', () => {
  const { b, clock } = breaker();
  const start = clock.t;
  for (let i = 0; i < 3; i++) {
    b.tryAcquire();
    b.onTransientFailure();
    clock.t += 10_000;
  }
  const error = unreachableError('PostgreSQL', 'Prod', b.snapshot, clock.t, (ms) => new Date(ms).toISOString().slice(11, 16));
  assert.is(error.code, 'UNAVAILABLE');
  assert.is(error.message, `PostgreSQL 'Prod' is unreachable: 3 failures in 30 s; retrying at ${new Date(start + 20_000 + 10_000).toISOString().slice(11, 16)}.`);
  assert.is(error.details?.retryAfterMs, 0);
  assert.is(error.details?.kind, 'CIRCUIT_OPEN');
});

test.run();
