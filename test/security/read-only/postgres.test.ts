/**
 * PostgreSQL, superuser login: every attack in the corpus is refused by check,
 * what check accepts does no harm, no forced execution leaves state in the
 * pool, and every analytical read is accepted and runs. The report (stdout
 * and test-artifacts/security/read-only-postgres.json) lists what got through.
 */
import { test } from 'uvu';
import { createPostgresConnector } from '../../../engine/connectors/postgres/connector';
import type { ConnectionSpec } from '../../../engine/connectors/types';
import { SourceSettings } from '../../../engine/contract/index';
import { PG } from '../../support/databases';
import { PG_SESSION_PROBE, PgCanary, seededRandoms } from '../../support/fingerprint/postgres';
import { postgresAnalytical } from '../analytical/postgres';
import { postgresAttacks } from '../attacks/postgres';
import { canaryStore, probeText, registerReadOnlySuite } from './harness';

registerReadOnlySuite(test, {
  store: 'postgres',
  attacks: postgresAttacks,
  analytical: postgresAnalytical,
  seenWithoutGuard: [
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
  ],
  async open() {
    const canary = await PgCanary.create();
    const connector = createPostgresConnector();
    const spec: ConnectionSpec<'postgres'> = {
      sourceId: `pg-read-only-${canary.db}`,
      type: 'postgres',
      connection: { host: PG.host, port: PG.port, database: canary.db, user: PG.user, tls: { mode: 'prefer' }, connectTimeoutMs: 5_000 },
      password: null,
      settings: SourceSettings.parse({ statementTimeoutMs: 3_000, rowLimit: 1_000 }),
      workDir: '/nonexistent',
    };
    const seeded = await seededRandoms();
    return {
      store: canaryStore(canary, {
        store: 'postgres',
        connector,
        spec,
        // random() after setseed(0.42) is one of the seeded values: name that instead of the number.
        probeSession: async () =>
          probeText(await connector.execute(spec, PG_SESSION_PROBE, { timeoutMs: 5_000, maxRows: 1, signal: new AbortController().signal }), {
            random: (v) => (seeded.includes(Number(v)) ? 'seeded by setseed(0.42)' : 'unseeded'),
          }),
        resetSessions: () => canary.endConnectorSessions(),
      }),
      // The connector's sessions are named by the application_name it sets: not foreign ones.
      afterAnalytical: () => canary.learnOwnApps(),
      async close() {
        await connector.close();
        await canary.close();
      },
    };
  },
});

test.run();
