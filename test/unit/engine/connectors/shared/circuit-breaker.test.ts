import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BREAKER_POLICY, breakerPolicyOf, CircuitBreaker, countsAsUnreachable, unreachableError, type BreakerPolicy } from '../../../../../engine/connectors/shared/circuit-breaker';
import { ConnectorError, EngineError, TimeoutError } from '../../../../../engine/errors';

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
    if (i > 0) clock.t += 15_000;
    b.tryAcquire();
    b.onTransientFailure();
  }
  const error = unreachableError('PostgreSQL', 'Prod', b.snapshot, clock.t, (ms) => new Date(ms).toISOString().slice(11, 16));
  assert.is(error.code, 'UNAVAILABLE');
  assert.is(error.message, `PostgreSQL 'Prod' is unreachable: 3 failures in 30 s; retrying at ${new Date(start + 30_000 + 10_000).toISOString().slice(11, 16)}.`);
  assert.is(error.details?.retryAfterMs, 10_000);
  assert.is(error.details?.kind, 'CIRCUIT_OPEN');
});

test('half-open with its probe out, a refused call is told the retry is happening now', () => {
  const { b, clock } = breaker();
  failTimes(b, 3);
  clock.t += 10_000;
  assert.ok(b.tryAcquire(), 'the probe');
  const error = unreachableError('MySQL / MariaDB', 'Shop', b.snapshot, clock.t, () => 'never shown');
  assert.match(error.message, /^MySQL \/ MariaDB 'Shop' is unreachable: 3 failures in \d+ s; retrying now\.$/);
});

test('calls let through before it opened that fail after it opened count, but do not push the retry back', () => {
  const { b, clock } = breaker();
  for (let i = 0; i < 5; i++) assert.ok(b.tryAcquire(), 'five calls go out together');
  for (let i = 0; i < 5; i++) b.onTransientFailure();
  assert.is(b.snapshot.state, 'open');
  assert.is(b.snapshot.consecutiveFailures, 5);
  assert.is(b.snapshot.retryAt, clock.t + 10_000, 'the first cool-down, not 10 s doubled twice');
});

test("the user's settings become the policy, read at each decision: a changed threshold applies to a breaker already counting", () => {
  assert.equal(breakerPolicyOf({ circuitFailureThreshold: 5, circuitCoolDownSeconds: 10 }), BREAKER_POLICY);
  assert.equal(breakerPolicyOf({ circuitFailureThreshold: 2, circuitCoolDownSeconds: 900 }), { failureThreshold: 2, coolDownMs: 900_000, maxCoolDownMs: 900_000 }, 'the longest cool-down is never shorter than the first');
  const settings = { circuitFailureThreshold: 5, circuitCoolDownSeconds: 10 };
  const clock = { t: 0 };
  const b = new CircuitBreaker(() => clock.t, () => breakerPolicyOf(settings));
  failTimes(b, 2);
  assert.is(b.snapshot.state, 'closed');
  settings.circuitFailureThreshold = 3;
  settings.circuitCoolDownSeconds = 30;
  failTimes(b, 1);
  assert.is(b.snapshot.state, 'open', 'three in a row, the new threshold');
  assert.is(b.snapshot.retryAt, 30_000);
});

test('what counts as unreachable is an allow-list of connection failures; query errors, statement timeouts and failures after rows never count', () => {
  const counts = [
    new ConnectorError('refused', { kind: 'PORT_CLOSED' }),
    new ConnectorError('no route', { kind: 'HOST_UNREACHABLE' }),
    new ConnectorError('connect timed out', { kind: 'TIMEOUT' }),
    new ConnectorError('handshake cut', { kind: 'UNKNOWN', closedDuringHandshake: true }),
    new ConnectorError('restarting', { kind: 'UNKNOWN', sqlState: '57P03' }),
    new ConnectorError('pooled connection dead', { kind: 'CONNECTION_LOST', beforeStatement: true }),
  ];
  const never = [
    new ConnectorError('syntax error at or near "SELEC"', { kind: 'QUERY', sqlState: '42601' }),
    new ConnectorError('permission denied for table t', { sqlState: '42501' }),
    new ConnectorError('wrong password', { kind: 'AUTH_FAILED' }),
    new ConnectorError('something', { kind: 'UNKNOWN' }),
    new ConnectorError('lost mid-result', { kind: 'CONNECTION_LOST', rowsReceived: true }),
    new ConnectorError('every pooled connection stayed busy', { kind: 'TIMEOUT', poolWait: true }),
    new ConnectorError('lost during the query', { kind: 'CONNECTION_LOST' }),
    new TimeoutError('statement timeout', { kind: 'STATEMENT_TIMEOUT' }),
    new EngineError('CANCELLED', 'cancelled'),
    new Error('plain'),
  ];
  for (const e of counts) assert.ok(countsAsUnreachable(e), e.message);
  for (const e of never) assert.not.ok(countsAsUnreachable(e), e.message);
});

test.run();
