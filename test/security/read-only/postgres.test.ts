/**
 * PostgreSQL, superuser login: every attack in the corpus is refused by check,
 * what check accepts does no harm, no forced execution leaves state in the
 * pool, and every analytical read is accepted and runs. The report (stdout
 * and test-artifacts/security/read-only-postgres.json) lists what got through.
 */
import { test } from 'uvu';
import { createPostgresConnector } from '../../../engine/connectors/postgres/connector';
import type { ConnectionSpec, Connector } from '../../../engine/connectors/types';
import { SourceSettings } from '../../../engine/contract/index';
import { PG } from '../../support/databases';
import { PG_SESSION_PROBE, PgCanary, seededRandoms } from '../../support/fingerprint/postgres';
import { postgresAnalytical } from '../analytical/postgres';
import { postgresAttacks } from '../attacks/postgres';
import {
  assertAcceptedHarmless,
  assertAnalyticalAccepted,
  assertAnalyticalRan,
  assertBounded,
  assertClassRefused,
  assertForcedHarmless,
  assertNoSessionState,
  classesIn,
  report,
  runAnalytical,
  runAttacks,
  runUnguarded,
  assertUnguardedSeen,
  type UnguardedOutcome,
  type AnalyticalOutcome,
  type Outcome,
  type StoreUnderTest,
} from './harness';

let canary: PgCanary;
let connector: Connector;
let outcomes: Outcome[] = [];
let reads: AnalyticalOutcome[] = [];
let unguarded: UnguardedOutcome[] = [];

/**
 * Attacks that really work on this server when nothing stops them, one or more for every kind of harm the
 * fingerprint watches: the harness must see each one, or it could not see them get through either. The whole corpus
 * runs unguarded with POLYSTORE_UNGUARDED=all (slower; the report then says which attacks work at all).
 */
const SEEN_WITHOUT_GUARD = [
  'pg/sql-in-text/ts-rewrite-reads-file',
  'pg/sql-in-text/ts-rewrite-terminates-sessions',
  'pg/sql-in-text/ts-rewrite-dblink-delete',
  'pg/sql-in-text/dblink-exec-copy-program',
  'pg/sql-in-text/dblink-exec-create-role',
  'pg/sql-in-text/dblink-exec-alter-system',
  'pg/sql-in-text/dblink-send-query-sleeps',
  'pg/side-effect/gin-clean-pending-list',
  'pg/side-effect/brin-summarize-new-values',
  'pg/side-effect/brin-desummarize-range',
  'pg/side-effect/advisory-lock',
  'pg/side-effect/stat-reset',
  'pg/side-effect/replication-slot',
  'pg/side-effect/heap-force-kill',
  'pg/session-state/setseed',
  'pg/session-state/prepare',
  'pg/catalog-secret/pg-authid',
  'pg/catalog-secret/stat-activity-query',
  'pg/catalog-secret/user-mappings',
  'pg/catalog-secret/lo-get',
  'pg/catalog-secret/file-settings',
  'pg/cross-database/dblink-payroll',
  'pg/encoding/unicode-escape-relation',
  'pg/encoding/domain-cast',
  'pg/encoding/builtin-name-overload',
  'pg/write-disguise/commit-then-delete',
  'pg/file-access/ls-dir',
  'pg/file-access/lo-export',
  'pg/file-access/adminpack-write',
  'pg/file-access/adminpack-unlink',
];

async function probe(spec: ConnectionSpec, seeded: number[]): Promise<string> {
  const result = await connector.execute(spec, PG_SESSION_PROBE, { timeoutMs: 5_000, maxRows: 1, signal: new AbortController().signal });
  const row = result.rows[0] ?? [];
  return result.columns
    .map((c, i) => {
      const value = row[i];
      if (c.name === 'app') canary.ownApps.add(String(value ?? ''));
      if (c.name === 'random') return `random=${seeded.includes(Number(value)) ? 'seeded by setseed(0.42)' : 'unseeded'}`;
      return `${c.name}=${value === null ? 'null' : String(value)}`;
    })
    .join('\n');
}

test.before(async () => {
  try {
    await runEverything();
  } catch (error) {
    // uvu reports a failing hook poorly: say what failed before the file stops.
    console.error('the read-only harness could not run:', error);
    throw error;
  }
});

async function runEverything(): Promise<void> {
  canary = await PgCanary.create();
  connector = createPostgresConnector();
  const spec: ConnectionSpec<'postgres'> = {
    sourceId: `pg-read-only-${canary.db}`,
    type: 'postgres',
    connection: { host: PG.host, port: PG.port, database: canary.db, user: PG.user, tls: { mode: 'prefer' }, connectTimeoutMs: 5_000 },
    password: null,
    settings: SourceSettings.parse({ statementTimeoutMs: 3_000, rowLimit: 1_000 }),
    workDir: '/nonexistent',
  };
  const seeded = await seededRandoms();
  const store: StoreUnderTest = {
    store: 'postgres',
    connector,
    spec,
    placeholders: canary.placeholders,
    secrets: () => ({ ...canary.secrets }),
    snapshot: () => canary.snapshot(),
    repair: (before, after) => canary.repair(before, after),
    probeSession: () => probe(spec, seeded),
    resetSessions: () => canary.endConnectorSessions(),
    executeTimeoutMs: 3_000,
    unguarded: (query, timeoutMs) => canary.unguarded(query, timeoutMs),
    unguardedSession: () => canary.unguardedSession(),
  };
  // Analytical reads first, on the untouched canary (and to learn the connector's session name).
  reads = await runAnalytical(store, postgresAnalytical);
  await canary.learnOwnApps();
  outcomes = await runAttacks(store, postgresAttacks);
  const all = process.env.POLYSTORE_UNGUARDED === 'all';
  unguarded = await runUnguarded(store, all ? postgresAttacks : postgresAttacks.filter((a) => SEEN_WITHOUT_GUARD.includes(a.id)));
  console.log(report('postgres', outcomes, reads, unguarded));
}

test.after(async () => {
  await connector?.close();
  await canary?.close();
});

for (const cls of classesIn(postgresAttacks.map((a) => ({ class: a.class }) as Outcome))) {
  test(`check refuses every ${cls} attack`, () => assertClassRefused(outcomes, cls));
}
test('what check accepted changed nothing and read nothing beyond the source', () => assertAcceptedHarmless(outcomes));
test('no forced execution left state in the connector\'s session', () => assertNoSessionState(outcomes));
test('check, preview and forced execution end by their deadlines', () => assertBounded(outcomes));
if (process.env.POLYSTORE_STRICT_FORCED === '1') {
  test('forced execution alone changed nothing and read nothing beyond the source', () => assertForcedHarmless(outcomes));
}
test('the fingerprint sees what the attacks do when nothing stops them', () => assertUnguardedSeen(unguarded, SEEN_WITHOUT_GUARD));
test('every analytical read is accepted by check', () => assertAnalyticalAccepted(reads));
test('every analytical read runs', () => assertAnalyticalRan(reads));

test.run();
