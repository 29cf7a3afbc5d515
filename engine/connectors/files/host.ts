import type { SourceFile } from '../../contract/index';
import { ConnectorError } from '../../errors';
import { nowIso } from '../../ids';
import type { Database } from '../../store/migration';
import type { SourceHostContext, SourceHostHooks } from '../host-context';
import type { FileConnection } from '../../contract/index';
import { FileProvenance, type ImportReport } from './provenance';

interface FileRow {
  path: string;
  status: 'imported' | 'failed';
  table_name: string | null;
  provenance_json: string | null;
  error_json: string | null;
}

function rows(db: Database, sourceId: string): FileRow[] {
  return db.prepare('SELECT path, status, table_name, provenance_json, error_json FROM source_files WHERE source_id = ? ORDER BY rowid').all(sourceId) as FileRow[];
}

function save(db: Database, sourceId: string, report: ImportReport): void {
  db.transaction(() => {
    db.prepare('DELETE FROM source_files WHERE source_id = ?').run(sourceId);
    const insert = db.prepare(
      'INSERT INTO source_files (source_id, path, status, table_name, provenance_json, error_json, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const f of report.files) {
      if (f.ok) insert.run(sourceId, f.path, 'imported', f.provenance.table, JSON.stringify(f.provenance), null, nowIso());
      else insert.run(sourceId, f.path, 'failed', null, null, JSON.stringify(f.error), nowIso());
    }
  })();
}

async function importAll(ctx: SourceHostContext, reason: string): Promise<void> {
  const report = await ctx.pool.run({ kind: 'files.import', spec: ctx.spec, sizeLimitBytes: ctx.settings.fileSizeLimitBytes }, ctx.signal ? { signal: ctx.signal } : {});
  save(ctx.db, ctx.spec.sourceId, report);
  ctx.invalidateMetadata();
  const failed = report.files.filter((f) => !f.ok);
  ctx.audit.record({
    action: 'file.imported',
    sourceId: ctx.spec.sourceId,
    details: { reason, imported: report.files.length - failed.length, failed: failed.map((f) => ({ path: f.path, error: f.ok ? null : f.error.message })) },
  });
  if (failed.length === report.files.length) {
    const first = failed[0];
    throw new ConnectorError(
      `None of the files could be imported.${first && !first.ok ? ` ${first.error.message}` : ''}`,
      { kind: 'FILE_UNREADABLE', files: failed.map((f) => ({ path: f.path, error: f.ok ? null : f.error.message })) },
    );
  }
}

/**
 * Files are imported into the source's DuckDB database when first used, and
 * again when the list of paths changes or a file changed on disk since import
 * (size and modification time, then the content hash).
 */
export const filesHostHooks: SourceHostHooks = {
  async prepare(ctx) {
    const paths = (ctx.spec.connection as FileConnection).paths;
    const stored = rows(ctx.db, ctx.spec.sourceId);
    const storedPaths = stored.map((r) => r.path);
    if (storedPaths.length !== paths.length || storedPaths.some((p, i) => p !== paths[i])) {
      await importAll(ctx, stored.length ? 'files changed' : 'first use');
      return;
    }
    const provenance = stored.filter((r) => r.provenance_json).map((r) => FileProvenance.parse(JSON.parse(r.provenance_json!)));
    const failedBefore = stored.some((r) => r.status === 'failed');
    const checks = await ctx.pool.run({ kind: 'files.check', provenance }, ctx.signal ? { signal: ctx.signal } : {});
    const changed = checks.filter((c) => c.needsReimport);
    // A file that failed before may have been fixed; one that changed needs new tables.
    if (changed.length || failedBefore) await importAll(ctx, changed.length ? `changed on disk: ${changed.map((c) => c.path).join(', ')}` : 'retrying failed files');
  },
  files: (db, spec) => listSourceFiles(db, spec.sourceId, (spec.connection as FileConnection).paths),
};

/** The files of a source as the UI lists them. */
function listSourceFiles(db: Database, sourceId: string, paths: readonly string[]): SourceFile[] {
  const byPath = new Map(rows(db, sourceId).map((r) => [r.path, r]));
  return paths.map((path) => {
    const row = byPath.get(path);
    const p = row?.provenance_json ? FileProvenance.parse(JSON.parse(row.provenance_json)) : null;
    const error = row?.error_json ? (JSON.parse(row.error_json) as { message: string }).message : null;
    return {
      path,
      status: row?.status ?? 'failed',
      table: p?.table ?? null,
      format: p ? `${p.format}${p.compression === 'gzip' ? ' (gzip)' : ''}` : null,
      encoding: p?.encoding ?? null,
      sizeBytes: p?.sizeBytes ?? null,
      rowCount: p?.rowCount ?? null,
      importedAt: p?.importedAt ?? null,
      notes: p?.notes ?? [],
      error: row ? error : 'Not imported yet: test the source or ask a question to import it.',
      changed: false,
    };
  });
}
