/**
 * MariaDB (MySQL dialect), root login: every attack in the corpus is refused
 * by check, what check accepts does no harm, no forced execution leaves state
 * in the pool, and every analytical read is accepted and runs. The report
 * (stdout and test-artifacts/security/read-only-mysql.json) lists what got through.
 */
import { test } from 'uvu';
import { createMysqlConnector } from '../../../engine/connectors/mysql/connector';
import type { ConnectionSpec } from '../../../engine/connectors/types';
import { SourceSettings } from '../../../engine/contract/index';
import { MYSQL } from '../../support/databases';
import { MysqlCanary } from '../../support/fingerprint/mysql';
import { mysqlAnalytical } from '../analytical/mysql';
import { mysqlAttacks } from '../attacks/mysql';
import { canaryStore, probeText, registerReadOnlySuite } from './harness';

/** Session state a later query would inherit, read through the connector (so only what its check lets a query read). */
const SESSION_PROBE = `SELECT @@session.sql_mode AS sql_mode, @@session.time_zone AS time_zone, @@character_set_client AS charset,
  @@autocommit AS autocommit, @@sql_select_limit AS select_limit, DATABASE() AS db, @@group_concat_max_len AS group_concat,
  @@tx_read_only AS read_only, @pst AS pst_variable, NOW() < '2000-01-01' AS frozen_clock`;

registerReadOnlySuite(test, {
  store: 'mysql',
  attacks: mysqlAttacks,
  analytical: mysqlAnalytical,
  seenWithoutGuard: [
    'mysql/sql-in-text/execute-immediate-file',
    'mysql/sql-in-text/execute-immediate-variable',
    'mysql/sql-in-text/stored-function-lock',
    'mysql/sql-in-text/extractvalue-error-exfiltration',
    'mysql/side-effect/get-lock',
    'mysql/side-effect/kill-connection',
    'mysql/side-effect/kill-query',
    'mysql/side-effect/analyze-table',
    'mysql/side-effect/optimize-table',
    'mysql/side-effect/set-global',
    'mysql/side-effect/install-soname',
    'mysql/side-effect/create-user',
    'mysql/side-effect/grant',
    'mysql/side-effect/lock-tables',
    'mysql/session-state/user-variable-set',
    'mysql/session-state/sql-mode-no-backslash',
    'mysql/session-state/use-other-database',
    'mysql/session-state/last-insert-id',
    'mysql/session-state/timestamp',
    'mysql/catalog-secret/mysql-user',
    'mysql/catalog-secret/processlist',
    'mysql/catalog-secret/datadir',
    'mysql/catalog-secret/other-database-comments',
    'mysql/cross-database/qualified',
    'mysql/encoding/executable-comment',
    'mysql/encoding/backslash-quote',
    'mysql/encoding/comment-hides-union',
    'mysql/write-disguise/commit-then-delete',
    'mysql/write-disguise/implicit-commit-ddl',
    'mysql/write-disguise/truncate',
    'mysql/write-disguise/alter',
    'mysql/file-access/load-file',
    'mysql/file-access/into-outfile',
    'mysql/file-access/csv-engine-table',
    'mysql/file-access/general-log-shell',
  ],
  async open() {
    const canary = await MysqlCanary.create();
    const connector = createMysqlConnector();
    const spec: ConnectionSpec<'mysql'> = {
      sourceId: `mysql-read-only-${canary.db}`,
      type: 'mysql',
      connection: { host: MYSQL.host, port: MYSQL.port, database: canary.db, user: MYSQL.user, tls: { mode: 'prefer' }, connectTimeoutMs: 5_000 },
      password: null,
      settings: SourceSettings.parse({ statementTimeoutMs: 3_000, rowLimit: 1_000 }),
      workDir: '/nonexistent',
    };
    return {
      store: canaryStore(canary, {
        store: 'mysql',
        connector,
        spec,
        probeSession: async () => probeText(await connector.execute(spec, SESSION_PROBE, { timeoutMs: 5_000, maxRows: 1, signal: new AbortController().signal })),
        resetSessions: () => canary.endConnectorSessions(),
      }),
      async close() {
        await connector.close();
        await canary.close();
      },
    };
  },
});

test.run();
