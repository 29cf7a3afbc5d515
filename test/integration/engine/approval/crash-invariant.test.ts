import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { QueryState } from '../../../../engine/contract/index';
import { openDatabase } from '../../../../engine/store/db';
import { createPgDatabase } from '../../../support/databases';
import { openTestEngine } from '../../../support/engine';
import { repoRoot, tempDir } from '../../../support/tmp';

/**
 * kill -9 at random points while an engine approves and runs queries against
 * real PostgreSQL, then the profile is read back: every consumed approval has
 * its run and its audit event, every run is done, failed or "started, outcome
 * unknown", and the engine shows the unknown ones as such.
 */
/** Kills in all (at least). */
const TRIALS = Number(process.env.CRASH_TRIALS ?? 30);
/** Processes working on the profile at once in a round. */
const PER_ROUND = 3;
/** Every fourth round kills one run that is certainly in progress (it waits on a table the test holds locked). */
const BLOCK_EVERY = 4;
const LINE_DEADLINE_MS = 120_000;
const CHILD_SOURCE = path.join(repoRoot, 'test/support/approval-crash-child.ts');
/**
 * The child, bundled once: thirty starts of tsx compiling the engine would
 * take most of the test's time. Inside the checkout, so its packages resolve.
 */
const CHILD = path.join(repoRoot, 'node_modules', '.cache', `polystore-crash-child-${process.pid}.mjs`);
/** The table a blocked run waits on. */
const CRASH_LOCK_TABLE = 'crash_lock';

/** A small seeded generator, so a failing trial can be replayed with CRASH_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Child {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  #buffer = '';
  #stderr = '';
  #waiters: Array<() => void> = [];
  #exited = false;

  constructor(dataDir: string, sourceId: string, conversation: { sessionId: string; messageId: string }, mode: 'loop' | 'block') {
    this.proc = spawn(process.execPath, [CHILD, dataDir, sourceId, conversation.sessionId, conversation.messageId, mode, CRASH_LOCK_TABLE], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.#buffer.slice(0, nl));
        this.#buffer = this.#buffer.slice(nl + 1);
      }
      this.#wake();
    });
    this.proc.stderr.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-4000)));
    this.proc.on('exit', () => {
      this.#exited = true;
      this.#wake();
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Resolves once a line satisfies `done` (counting from the start); fails if the child exits first or the deadline passes. */
  async waitFor(what: string, done: (lines: readonly string[]) => boolean): Promise<void> {
    const deadline = Date.now() + LINE_DEADLINE_MS;
    while (!done(this.lines)) {
      if (this.#exited) throw new Error(`the child exited before "${what}"; its stderr:\n${this.#stderr}`);
      if (Date.now() > deadline) throw new Error(`no "${what}" within ${LINE_DEADLINE_MS} ms; lines: ${this.lines.join(', ')}; stderr:\n${this.#stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async kill(): Promise<void> {
    if (this.#exited) throw new Error(`the child exited on its own; its stderr:\n${this.#stderr}`);
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGKILL');
    await exited;
  }
}

/** Runs started with no outcome yet, read from the profile while the child works (WAL lets us read alongside it). */
function unfinishedRuns(dbFile: string): number {
  const db = openDatabase(dbFile);
  try {
    return db.prepare(`SELECT count(*) FROM query_run_starts s WHERE NOT EXISTS (SELECT 1 FROM query_runs r WHERE r.id = s.id)`).pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Polls a condition on state until it holds, with a deadline. */
async function waitForState(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + LINE_DEADLINE_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${LINE_DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Counts {
  uses: number;
  starts: number;
  outcomes: number;
  unknown: number;
}

/** The invariant, read straight from the profile's SQLite file after a kill. */
function checkInvariant(dbFile: string, round: number): Counts {
  const db = openDatabase(dbFile);
  try {
    const rows = (sql: string) => db.prepare(sql).all() as Array<Record<string, unknown>>;
    const where = `after round ${round}`;
    assert.equal(
      rows(`SELECT u.nonce, u.attempt FROM approval_uses u WHERE u.outcome = 'consumed'
            AND NOT EXISTS (SELECT 1 FROM query_run_starts s WHERE s.nonce = u.nonce AND s.attempt = u.attempt)`),
      [],
      `every consumed approval has a run record (${where})`,
    );
    assert.equal(
      rows(`SELECT u.nonce, u.attempt FROM approval_uses u WHERE u.outcome = 'consumed' AND NOT EXISTS (
              SELECT 1 FROM audit_events e WHERE e.action = 'query.approved'
              AND json_extract(e.details_json, '$.nonce') = u.nonce AND json_extract(e.details_json, '$.attempt') = u.attempt)`),
      [],
      `every consumed approval has its audit event (${where})`,
    );
    assert.equal(
      rows(`SELECT u.nonce FROM approval_uses u WHERE u.outcome = 'denied' AND NOT EXISTS (
              SELECT 1 FROM audit_events e WHERE e.action = 'query.denied' AND json_extract(e.details_json, '$.nonce') = u.nonce)`),
      [],
      `every denial has its audit event (${where})`,
    );
    assert.equal(rows(`SELECT id FROM query_runs r WHERE NOT EXISTS (SELECT 1 FROM query_run_starts s WHERE s.id = r.id)`), [], `no outcome without a start (${where})`);
    assert.equal(rows(`SELECT id, status FROM query_runs WHERE status NOT IN ('succeeded', 'failed', 'cancelled')`), [], `every outcome is done or failed (${where})`);
    // A conversation's run is in its thread: the decision with the start, the result or the error with the outcome.
    assert.equal(
      rows(`SELECT s.id FROM query_run_starts s WHERE s.message_id IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM chat_messages m WHERE m.kind = 'decision' AND json_extract(m.payload_json, '$.queryMessageId') = s.message_id
              AND json_extract(m.payload_json, '$.decision') = 'approved')`),
      [],
      `every started run of a conversation has its decision (${where})`,
    );
    assert.equal(
      rows(`SELECT r.id FROM query_runs r WHERE r.message_id IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM chat_messages m WHERE (m.kind = 'result' AND json_extract(m.payload_json, '$.runId') = r.id)
              OR (m.kind = 'error' AND json_extract(m.payload_json, '$.relatedMessageId') = r.message_id))`),
      [],
      `every finished run of a conversation has its result or error in the thread (${where})`,
    );
    const count = (sql: string) => (db.prepare(sql).pluck().get() as number) ?? 0;
    return {
      uses: count(`SELECT count(*) FROM approval_uses`),
      starts: count(`SELECT count(*) FROM query_run_starts`),
      outcomes: count(`SELECT count(*) FROM query_runs`),
      unknown: count(`SELECT count(*) FROM query_run_starts s WHERE NOT EXISTS (SELECT 1 FROM query_runs r WHERE r.id = s.id)`),
    };
  } finally {
    db.close();
  }
}

test(`kill -9 at random points (${TRIALS} trials): no consumed approval without its run and audit event; unfinished runs show as "outcome unknown"`, async () => {
  const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
  const rand = random(seed);
  const t0 = Date.now();
  await build({ entryPoints: [CHILD_SOURCE], outfile: CHILD, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'error' });
  const pgdb = createPgDatabase('chinook');
  pgdb.sql(`CREATE TABLE ${CRASH_LOCK_TABLE} (x int); INSERT INTO ${CRASH_LOCK_TABLE} VALUES (1);`);
  const dir = tempDir();
  try {
    const setup = await openTestEngine({ unlocked: true, dataDir: dir.path, keepDataDir: true });
    const sourceId = (await setup.ok('sources.create', { name: 'Chinook', type: 'postgres', url: `${pgdb.url}?sslmode=disable` })).id;
    await setup.ok('sources.test', { id: sourceId });
    await setup.ok('sources.confirmRisks', { id: sourceId });
    // Each child of a round edits its own conversation's query and approves the edits.
    const conversations: Array<{ sessionId: string; messageId: string }> = [];
    for (let i = 0; i < PER_ROUND; i++) {
      const asked = await setup.ok('chat.ask', { sourceId, question: 'How many tracks are there?' });
      conversations.push({ sessionId: asked.sessionId, messageId: asked.messageId });
    }
    await setup.close();

    console.log(`setup: ${Date.now() - t0} ms`);
    const dbFile = path.join(dir.path, 'polystore.db');
    let counts: Counts = { uses: 0, starts: 0, outcomes: 0, unknown: 0 };
    const killedAt: string[] = [];
    let blockTrials = 0;
    for (let round = 0; killedAt.length < TRIALS; round++) {
      const started = Date.now();
      if (round % BLOCK_EVERY === BLOCK_EVERY - 1) {
        // One child alone, killed while its run certainly waits on the locked table.
        const child = new Child(dir.path, sourceId, conversations[0]!, 'block');
        try {
          await child.waitFor('edited', (l) => l.includes('edited'));
          const locker = new pg.Client({ connectionString: pgdb.url });
          await locker.connect();
          try {
            await locker.query('BEGIN');
            await locker.query(`LOCK TABLE ${CRASH_LOCK_TABLE} IN ACCESS EXCLUSIVE MODE`);
            const before = unfinishedRuns(dbFile);
            child.proc.stdin.write('go\n');
            // The run's start is committed before the query is sent, and the query then waits on the lock.
            await waitForState('the blocked run to start', () => unfinishedRuns(dbFile) > before);
            await child.kill();
            await locker.query('ROLLBACK');
          } finally {
            await locker.end();
          }
        } catch (error) {
          child.proc.kill('SIGKILL');
          throw Object.assign(error as Error, { message: `${(error as Error).message} (round ${round}, CRASH_SEED=${seed})` });
        }
        killedAt.push('run in progress');
        blockTrials++;
      } else {
        // Several processes on one profile at once (the app and the CLI do that), each killed on its own:
        // some steps into its loop, then a random instant: between steps, inside a transaction, during a run.
        const children = conversations.map((c) => new Child(dir.path, sourceId, c, 'loop'));
        try {
          await Promise.all(
            children.map(async (child) => {
              const steps = 1 + Math.floor(rand() * 8);
              const jitterMs = Math.floor(rand() * 40);
              await child.waitFor(`${steps} steps`, (l) => l.length - 1 >= steps);
              await new Promise((resolve) => setTimeout(resolve, jitterMs));
              killedAt.push(`${child.lines.at(-1)}+${jitterMs}ms`);
              await child.kill();
            }),
          );
        } catch (error) {
          for (const child of children) child.proc.kill('SIGKILL');
          throw Object.assign(error as Error, { message: `${(error as Error).message} (round ${round}, CRASH_SEED=${seed})` });
        }
      }
      const next = checkInvariant(dbFile, round);
      console.log(`round ${round}: ${Date.now() - started} ms, ${killedAt.length} kills so far; ${next.starts} runs, ${next.unknown} with outcome unknown`);
      assert.ok(next.uses >= counts.uses && next.starts >= counts.starts, 'records only grow');
      counts = next;
    }
    assert.ok(counts.starts > TRIALS, `the children ran queries (${counts.starts} runs in ${TRIALS} trials)`);
    assert.ok(counts.unknown >= blockTrials, `every run killed in progress has no outcome (${counts.unknown} of ${counts.starts})`);

    // Reopened, the engine says exactly what happened: a run with no outcome is "unknown", never pending or approved.
    const reopened = await openTestEngine({ unlocked: true, dataDir: dir.path, keepDataDir: true });
    try {
      const sessions = await reopened.ok('chat.listSessions', { includeArchived: true });
      const states: QueryState[] = [];
      for (const s of sessions) states.push(...(await reopened.ok('chat.getSession', { sessionId: s.id })).queries);
      const db = openDatabase(dbFile);
      const unfinished = new Set(
        db.prepare(`SELECT s.id FROM query_run_starts s WHERE s.message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM query_runs r WHERE r.id = s.id)`).pluck().all() as string[],
      );
      db.close();
      const shownUnknown = states.filter((q) => q.runId !== null && unfinished.has(q.runId));
      assert.ok(shownUnknown.length >= blockTrials, `the unfinished runs of conversations are shown (${shownUnknown.length})`);
      assert.equal([...new Set(shownUnknown.map((q) => q.status))], ['unknown']);
      assert.equal(states.filter((q) => q.status === 'approved'), [], 'no query was approved without a recorded run');
      const verified = await reopened.ok('audit.verify');
      assert.is(verified.status, 'ok', `the audit log survives every kill: ${verified.message}`);
    } finally {
      await reopened.close();
    }
    console.log(`crash invariant: seed ${seed}, ${TRIALS} kills (${killedAt.join('; ')}); ${counts.uses} approval uses, ${counts.starts} runs, ${counts.unknown} with outcome unknown`);
  } finally {
    dir.remove();
    pgdb.drop();
    fs.rmSync(CHILD, { force: true });
  }
});

test.run();
