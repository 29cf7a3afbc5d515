/**
 * Work on one source never starves another (issue 12): a PostgreSQL source whose server accepts and then
 * says nothing (the fault proxy's accept-and-hang) holds at most its own execute slots and queue; past
 * them its work is refused at once with RATE_LIMITED and retry guidance, while queries on another real
 * PostgreSQL source still complete in the same pool.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConnectionSpec } from '../../../../engine/connectors/types';
import { SourceSettings } from '../../../../engine/contract/index';
import { EngineError } from '../../../../engine/errors';
import { createJobPool } from '../../../../engine/pool/pool';
import { createPgDatabase, PG } from '../../../support/databases';
import { startFaultProxy, type FaultProxy } from '../../../support/fault-proxy';

/** Long enough that the hung source's jobs are still stuck when the test ends: their slots stay taken. */
const HUNG_MS = 120_000;
/** A deadline for the harness, so a starved query fails the test instead of stalling it; not a timing claim. */
const ANSWER_DEADLINE_MS = 60_000;
const SOURCE_QUEUE = 2;

const db = createPgDatabase('empty');
let proxy: FaultProxy;
// Two execute threads: the hung source may hold one of them.
const pool = createJobPool({ maxThreads: 2, limits: () => ({ sourceQueue: SOURCE_QUEUE }) });

const spec = (sourceId: string, port: number, timeoutMs: number): ConnectionSpec => ({
  sourceId,
  type: 'postgres',
  connection: { host: PG.host, port, database: db.name, user: PG.user, tls: { mode: 'off' }, connectTimeoutMs: timeoutMs },
  password: null,
  settings: SourceSettings.parse({ statementTimeoutMs: timeoutMs, rowLimit: 100 }),
  workDir: '/nonexistent',
});
const execute = (source: ConnectionSpec, signal?: AbortSignal) =>
  pool.run({ kind: 'connector.execute', spec: source, query: 'SELECT count(*) AS n FROM generate_series(1, 10)', timeoutMs: source.settings.statementTimeoutMs, maxRows: 10, maxBytes: 1 << 20 }, signal ? { signal, graceMs: 100 } : {});

/** The promise's value, or a failure when it has not settled by the deadline. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ANSWER_DEADLINE_MS} ms`)), ANSWER_DEADLINE_MS)));
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `ready` holds, checking as the event loop turns; fails at the deadline. */
async function until(ready: () => boolean, what: string): Promise<void> {
  const giveUpAt = Date.now() + ANSWER_DEADLINE_MS;
  while (!ready()) {
    if (Date.now() > giveUpAt) throw new Error(`${what}: not reached within ${ANSWER_DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test.before(async () => {
  proxy = await startFaultProxy({ host: PG.host, port: PG.port }, { kind: 'hang' });
});

test.after(async () => {
  await proxy.close();
  await pool.close();
  db.drop();
});

test('a source whose server hangs holds only its own slots and queue; another source still answers', async () => {
  const hung = spec('src_hung', proxy.port, HUNG_MS);
  const healthy = spec('src_healthy', PG.port, 30_000);
  const stop = new AbortController();
  const stuck = [execute(hung, stop.signal)];
  // Its first job is on a thread, connecting to a server that never answers.
  await until(() => proxy.accepted >= 1, 'the hung source connecting');
  for (let i = 0; i < SOURCE_QUEUE; i++) stuck.push(execute(hung, stop.signal));
  for (const job of stuck) job.catch(() => {});

  const refused = await within(
    execute(hung).then(
      () => null,
      (error: unknown) => error,
    ),
    'the job past the hung source queue',
  );
  assert.ok(refused instanceof EngineError, String(refused));
  assert.is(refused.code, 'RATE_LIMITED');
  const retryAfterMs = refused.details?.retryAfterMs;
  assert.ok(typeof retryAfterMs === 'number' && retryAfterMs > 0, `retryAfterMs ${String(retryAfterMs)}`);
  assert.is(proxy.accepted, 1, 'the queued jobs never reached the hung server: they wait for its slot');

  // Several queries on the healthy source, more than one thread's worth, all answer while the hung one is stuck.
  const answers = await within(Promise.all([execute(healthy), execute(healthy), execute(healthy)]), 'the healthy source');
  assert.equal(
    answers.map((a) => a.rows),
    [[[10]], [[10]], [[10]]],
  );
  assert.equal((await within(pool.run({ kind: 'connector.validate', spec: healthy, query: 'SELECT 1' }), 'a check on the healthy source')).allowed, true);

  stop.abort();
  for (const job of stuck) {
    const error = await within(job.then(() => null, (e: unknown) => e), 'cancelling the hung work');
    assert.ok(error instanceof EngineError && error.code === 'CANCELLED', String(error));
  }
});

test.run();
