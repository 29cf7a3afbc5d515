import type { AuditLog } from '../audit/audit-log';
import type { AppSettings, SourceFile } from '../contract/index';
import type { JobPool } from '../pool/pool';
import type { Database } from '../store/migration';
import type { ConnectionSpec } from './types';

/**
 * What a store's host-side hook may use. Hooks live in the store's folder, so
 * shared code never branches on the store type.
 */
export interface SourceHostContext {
  spec: ConnectionSpec;
  db: Database;
  pool: JobPool;
  settings: AppSettings;
  audit: AuditLog;
  signal?: AbortSignal;
  /** The user asked to bring the source up to date (a metadata refresh): files are imported again even if that replaces a good import. */
  reimport?: boolean;
  /** Drops cached metadata (the source's tables changed). */
  invalidateMetadata(): void;
}

export interface SourceHostHooks {
  /** Brings the source up to date before it is tested, described or queried (files: import and re-import). */
  prepare?(ctx: SourceHostContext): Promise<void>;
  /** The source's files and what became of each (stores with a file preview). */
  files?(db: Database, spec: Pick<ConnectionSpec, 'sourceId' | 'connection'>): SourceFile[];
}
