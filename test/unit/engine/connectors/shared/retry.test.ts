import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backoffMs, isTransient, RETRY_POLICY, withRetry, type RetryEnvironment } from '../../../../../engine/connectors/shared/retry';
import { ConnectorError, TimeoutError, ValidationError } from '../../../../../engine/errors';

/** A clock that moves only when the code under test sleeps; randomness fixed per test. */
function fakeEnv(random = 0.5): RetryEnvironment & { slept: number[]; t: number } {
  const env = {
    t: 1_000_000,
    slept: [] as number[],
    now: () => env.t,
    random: () => random,
    sleep: async (ms: number) => {
      env.slept.push(ms);
      env.t += ms;
    },
  };
  return env;
}

const never = new AbortController().signal;
const refused = () => new ConnectorError('Nothing accepted the connection.', { kind: 'PORT_CLOSED' });
const restarting = () => new ConnectorError('terminating connection due to administrator command', { kind: 'CONNECTION_LOST', sqlState: '57P01' });

test('transient: connection refused, a silent DNS server, a server restarting, MySQL gone away before the statement', () => {
  assert.ok(isTransient(refused()));
  assert.ok(isTransient(new ConnectorError('no DNS answer', { kind: 'HOST_UNREACHABLE', dns: 'NO_ANSWER' })));
  assert.ok(isTransient(restarting()));
  assert.ok(isTransient(new ConnectorError('starting up', { kind: 'UNKNOWN', sqlState: '57P03' })));
  assert.ok(isTransient(new ConnectorError('gone away', { kind: 'CONNECTION_LOST', errno: 2006, beforeStatement: true })));
  assert.ok(isTransient(new ConnectorError('lost', { kind: 'CONNECTION_LOST', beforeStatement: true })));
  assert.ok(isTransient(new ConnectorError('lost', { kind: 'CONNECTION_LOST', connectionKind: 'PORT_CLOSED' })));
});

test('never transient: query errors, timeouts, validation, an unknown host, a loss after rows arrived or once the statement was sent', () => {
  assert.not.ok(isTransient(new ConnectorError('syntax error', { kind: 'QUERY_FAILED', sqlState: '42601' })));
  assert.not.ok(isTransient(new TimeoutError('slow', { kind: 'STATEMENT_TIMEOUT' })));
  assert.not.ok(isTransient(new ValidationError('bad')));
  assert.not.ok(isTransient(new ConnectorError('no such host', { kind: 'HOST_UNREACHABLE' })));
  assert.not.ok(isTransient(new ConnectorError('lost', { kind: 'CONNECTION_LOST', errno: 2013 })));
  assert.not.ok(isTransient(new ConnectorError('lost', { kind: 'CONNECTION_LOST', beforeStatement: true, rowsReceived: true })));
  assert.not.ok(isTransient(new ConnectorError('refused', { kind: 'PORT_CLOSED', rowsReceived: true })));
  assert.not.ok(isTransient(new Error('ECONNREFUSED')));
});

test('back-off doubles its ceiling per attempt up to the maximum, jittered below it', () => {
  const top = () => 0.999999;
  assert.is(backoffMs(1, RETRY_POLICY, top), RETRY_POLICY.baseDelayMs - 1);
  assert.is(backoffMs(2, RETRY_POLICY, top), RETRY_POLICY.baseDelayMs * 2 - 1);
  assert.is(backoffMs(10, RETRY_POLICY, top), RETRY_POLICY.maxDelayMs - 1);
  assert.is(backoffMs(3, RETRY_POLICY, () => 0), 0);
  assert.is(backoffMs(3, RETRY_POLICY, () => 0.5), RETRY_POLICY.baseDelayMs * 2);
});

test('a transient failure is retried after a back-off and the second attempt answers', async () => {
  const env = fakeEnv(0.5);
  const retried: number[] = [];
  const value = await withRetry(
    async (attempt) => {
      if (attempt === 1) throw refused();
      return 'rows';
    },
    { signal: never, deadlineAt: env.t + 10_000, onRetry: (_e, attempt) => retried.push(attempt) },
    env,
  );
  assert.is(value, 'rows');
  assert.equal(retried, [1]);
  assert.equal(env.slept, [100]);
});

test('attempts are bounded: the last transient error is what the caller gets', async () => {
  const env = fakeEnv(1 - 1e-9);
  let calls = 0;
  try {
    await withRetry(async () => {
      calls++;
      throw restarting();
    }, { signal: never, deadlineAt: env.t + 60_000 }, env);
    assert.unreachable();
  } catch (error) {
    assert.is((error as ConnectorError).details?.sqlState, '57P01');
  }
  assert.is(calls, RETRY_POLICY.maxAttempts);
  assert.equal(env.slept, [199, 399]);
});

test('a query error is never retried', async () => {
  const env = fakeEnv();
  let calls = 0;
  const failed = await withRetry(async () => {
    calls++;
    throw new ConnectorError('relation "nope" does not exist', { kind: 'QUERY_FAILED', sqlState: '42P01' });
  }, { signal: never, deadlineAt: env.t + 60_000 }, env).catch((e: unknown) => e);
  assert.instance(failed, ConnectorError);
  assert.is(calls, 1);
  assert.equal(env.slept, []);
});

test('no retry would start past the action deadline', async () => {
  const env = fakeEnv(0.9);
  let calls = 0;
  await withRetry(async () => {
    calls++;
    throw refused();
  }, { signal: never, deadlineAt: env.t + 150 }, env).catch(() => {});
  assert.is(calls, 1, 'the first back-off (180 ms) would end past the deadline');
});

test('a cancelled action stops retrying', async () => {
  const env = fakeEnv();
  const controller = new AbortController();
  let calls = 0;
  await withRetry(async () => {
    calls++;
    controller.abort();
    throw refused();
  }, { signal: controller.signal, deadlineAt: env.t + 60_000 }, env).catch(() => {});
  assert.is(calls, 1);
});

test.run();
