/**
 * File sources (DuckDB): every attack in the corpus is refused by check, what
 * check accepts does no harm, no forced execution leaves state in the
 * connector's DuckDB instance, and every analytical read is accepted and
 * runs. The report (stdout and test-artifacts/security/read-only-duckdb.json)
 * lists what got through.
 */
import path from 'node:path';
import { test } from 'uvu';
import { createFilesConnector } from '../../../engine/connectors/files/connector';
import { importFiles } from '../../../engine/connectors/files/import';
import { readManifest } from '../../../engine/connectors/files/snapshot';
import type { ConnectionSpec } from '../../../engine/connectors/types';
import { SourceSettings } from '../../../engine/contract/index';
import { FilesCanary } from '../../support/fingerprint/files';
import { duckdbAnalytical } from '../analytical/duckdb';
import { duckdbAttacks } from '../attacks/duckdb';
import { canaryStore, probeText, registerReadOnlySuite } from './harness';

/** Instance state a later query would inherit, read through the connector (so only what its check lets a query read). */
const SESSION_PROBE = `SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS memory_limit,
  current_setting('TimeZone') AS timezone, (SELECT count(*) FROM information_schema.tables) AS visible_tables`;

registerReadOnlySuite(test, {
  store: 'duckdb',
  attacks: duckdbAttacks,
  analytical: duckdbAnalytical,
  seenWithoutGuard: [
    'duckdb/file-access/read-csv',
    'duckdb/file-access/read-text',
    'duckdb/file-access/read-json',
    'duckdb/file-access/read-parquet',
    'duckdb/file-access/replacement-scan-string',
    'duckdb/file-access/glob',
    'duckdb/file-access/sniff-csv',
    'duckdb/file-access/path-traversal',
    'duckdb/file-access/copy-to',
    'duckdb/file-access/copy-to-relative',
    'duckdb/file-access/export-database',
    'duckdb/file-access/install-extension',
    'duckdb/file-access/profiling-output',
    'duckdb/sql-in-text/query-function',
    'duckdb/sql-in-text/query-table',
    'duckdb/sql-in-text/json-execute-serialized',
    'duckdb/session-state/memory-limit',
    'duckdb/session-state/set-variable',
    'duckdb/session-state/temp-view-shadowing',
    'duckdb/session-state/file-search-path',
    'duckdb/session-state/allowed-directories',
    'duckdb/catalog-secret/duckdb-settings',
    'duckdb/catalog-secret/duckdb-databases',
    'duckdb/cross-database/read-duckdb',
    'duckdb/cross-database/attach-other',
    'duckdb/encoding/hex-path',
    'duckdb/encoding/escape-string-path',
    'duckdb/encoding/error-message-cast',
  ],
  async open() {
    const canary = await FilesCanary.create();
    const spec: ConnectionSpec<'file'> = {
      sourceId: 'files-read-only',
      type: 'file',
      connection: { paths: canary.paths },
      password: null,
      settings: SourceSettings.parse({ statementTimeoutMs: 3_000, rowLimit: 1_000, memoryLimitMb: 512 }),
      workDir: canary.workDir,
    };
    const report = await importFiles(spec, { signal: new AbortController().signal });
    const failed = report.files.filter((f) => !f.ok);
    if (failed.length) throw new Error(`the canary source did not import: ${JSON.stringify(failed)}`);
    canary.databasePath = path.join(canary.workDir, readManifest(canary.workDir)!.database);
    const connector = createFilesConnector();
    return {
      store: canaryStore(canary, {
        store: 'duckdb',
        connector,
        spec,
        probeSession: async () => probeText(await connector.execute(spec, SESSION_PROBE, { timeoutMs: 5_000, maxRows: 1, signal: new AbortController().signal })),
        // The connector owns its DuckDB instance: closing it is the only way to drop what a query left there.
        resetSessions: () => connector.close(),
      }),
      async close() {
        await connector.close();
        canary.close();
      },
    };
  },
});

test.run();
