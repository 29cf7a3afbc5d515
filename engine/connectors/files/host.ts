import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ApiError } from '../../contract/errors';
import type { FileConnection, SourceFile } from '../../contract/index';
import { ConnectorError, EngineError, toApiError } from '../../errors';
import { nowIso } from '../../ids';
import type { Database } from '../../store/migration';
import type { SourceHostContext, SourceHostHooks } from '../host-context';
import { fileFingerprint } from './open-file';
import { FileProvenance, type FileCheck, type ImportReport } from './provenance';

interface FileRow {
  path: string;
  status: 'imported' | 'failed';
  table_name: string | null;
  provenance_json: string | null;
  error_json: string | null;
  updated_at: string;
}

/** A failed file's error as stored, with the fingerprint of the file it was found in. */
const StoredFailure = ApiError.extend({ fingerprint: z.string().optional() });
type StoredFailure = z.infer<typeof StoredFailure>;

function rows(db: Database, sourceId: string): FileRow[] {
  return db.prepare('SELECT path, status, table_name, provenance_json, error_json, updated_at FROM source_files WHERE source_id = ? ORDER BY rowid').all(sourceId) as FileRow[];
}

const provenanceOf = (row: FileRow) => FileProvenance.parse(JSON.parse(row.provenance_json!));
const failureOf = (row: FileRow): StoredFailure | null => (row.error_json ? StoredFailure.parse(JSON.parse(row.error_json)) : null);

function save(db: Database, sourceId: string, report: ImportReport): void {
  db.transaction(() => {
    db.prepare('DELETE FROM source_files WHERE source_id = ?').run(sourceId);
    const insert = db.prepare(
      'INSERT INTO source_files (source_id, path, status, table_name, provenance_json, error_json, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const f of report.files) {
      if (f.ok) insert.run(sourceId, f.path, 'imported', f.provenance.table, JSON.stringify(f.provenance), null, nowIso());
      else insert.run(sourceId, f.path, 'failed', null, null, JSON.stringify({ ...f.error, ...(f.fingerprint ? { fingerprint: f.fingerprint } : {}) }), nowIso());
    }
  })();
}

/** A file only touched (same content, new modification time): its provenance takes the new time, so the cheap check agrees again. */
function recordTouched(db: Database, sourceId: string, checks: readonly FileCheck[], stored: readonly FileRow[]): void {
  const update = db.prepare('UPDATE source_files SET provenance_json = ? WHERE source_id = ? AND path = ?');
  for (const check of checks) {
    if (check.status !== 'touched' || check.mtimeMs === null) continue;
    const row = stored.find((r) => r.path === check.path && r.provenance_json);
    if (!row) continue;
    const p = provenanceOf(row);
    update.run(JSON.stringify({ ...p, mtimeMs: check.mtimeMs, modifiedAt: new Date(check.mtimeMs).toISOString() }), sourceId, row.path);
  }
}

type FailedFile = { path: string; code: string; kind: string | null; error: string };

function noneImported(failed: FailedFile[], lead: string, extra: Record<string, unknown> = {}): ConnectorError {
  const first = failed[0];
  return new ConnectorError(`${lead}${first ? ` ${first.error}` : ''}`, { kind: 'FILE_UNREADABLE', files: failed, ...extra });
}

/**
 * An import over its time budget changed nothing, and would take as long
 * again: each file without a good import is remembered as failed with that
 * error (and its fingerprint), so it is not retried on every use either.
 */
function rememberOverrun(db: Database, sourceId: string, paths: readonly string[], error: EngineError): void {
  const before = new Map(rows(db, sourceId).map((r) => [r.path, r]));
  const insert = db.prepare(
    'INSERT INTO source_files (source_id, path, status, table_name, provenance_json, error_json, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const failure = toApiError(error);
  db.transaction(() => {
    // Rewritten in the order of the paths: the next use compares that list with these rows.
    db.prepare('DELETE FROM source_files WHERE source_id = ?').run(sourceId);
    for (const p of paths) {
      const row = before.get(p);
      if (row?.status === 'imported') insert.run(sourceId, p, 'imported', row.table_name, row.provenance_json, null, row.updated_at);
      else insert.run(sourceId, p, 'failed', null, null, JSON.stringify({ ...failure, fingerprint: fileFingerprint(p) }), nowIso());
    }
  })();
}

/** The import stopped for taking too long: by its own time budget, or by the pool's deadline for the job. */
const OVERRUN_KINDS = new Set(['IMPORT_TIME_BUDGET', 'JOB_DEADLINE']);

async function importAll(ctx: SourceHostContext, reason: string): Promise<void> {
  let report: ImportReport;
  try {
    report = await ctx.pool.run({ kind: 'files.import', spec: ctx.spec, sizeLimitBytes: ctx.settings.fileSizeLimitBytes }, ctx.signal ? { signal: ctx.signal } : {});
  } catch (error) {
    if (error instanceof EngineError && OVERRUN_KINDS.has(String(error.details?.kind))) {
      rememberOverrun(ctx.db, ctx.spec.sourceId, (ctx.spec.connection as FileConnection).paths, error);
    }
    throw error;
  }
  // Nothing could be imported and the last good import was kept: its rows stay, and the files show as stale.
  if (!report.keptPrevious) save(ctx.db, ctx.spec.sourceId, report);
  ctx.invalidateMetadata();
  const failed: FailedFile[] = report.files.flatMap((f) =>
    f.ok ? [] : [{ path: f.path, code: f.error.code, kind: typeof f.error.details?.kind === 'string' ? f.error.details.kind : null, error: f.error.message }],
  );
  ctx.audit.record({
    action: 'file.imported',
    sourceId: ctx.spec.sourceId,
    details: { reason, imported: report.files.length - failed.length, failed: failed.map((f) => ({ path: f.path, error: f.error })), keptPrevious: report.keptPrevious ?? false },
  });
  if (failed.length === report.files.length) {
    throw noneImported(failed, report.keptPrevious ? 'None of the files could be imported again; queries still read the last good import.' : 'None of the files could be imported.');
  }
}

/**
 * Files are imported into the source's DuckDB database when first used, when
 * the list of paths changes, and when the user refreshes the source. A file
 * that changed or moved since import does not replace its good import on its
 * own: queries go on reading the last good import, and the file is listed as
 * stale until the user refreshes. A file that failed is remembered with its
 * fingerprint and tried again only once it changed; until then its error is
 * reported at once.
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
    if (ctx.reimport) {
      await importAll(ctx, 'refreshed by the user');
      return;
    }
    const imported = stored.filter((r) => r.status === 'imported' && r.provenance_json);
    const failed = stored.filter((r) => r.status === 'failed');
    const checks = imported.length ? await ctx.pool.run({ kind: 'files.check', provenance: imported.map(provenanceOf) }, ctx.signal ? { signal: ctx.signal } : {}) : [];
    recordTouched(ctx.db, ctx.spec.sourceId, checks, stored);
    const stale = checks.filter((c) => c.needsReimport);
    const fixed = failed.filter((r) => failureOf(r)?.fingerprint !== fileFingerprint(r.path));
    // A failed file that changed is tried again, unless that would also replace a stale file's last good import.
    if (fixed.length && stale.length === 0) {
      await importAll(ctx, `changed since it failed: ${fixed.map((r) => r.path).join(', ')}`);
      return;
    }
    if (imported.length === 0 && failed.length) {
      const remembered: FailedFile[] = failed.map((r) => {
        const f = failureOf(r);
        return { path: r.path, code: f?.code ?? 'CONNECTOR', kind: typeof f?.details?.kind === 'string' ? f.details.kind : null, error: f?.message ?? 'It could not be imported.' };
      });
      throw noneImported(
        remembered,
        `None of the files could be imported (remembered from ${failed[0]!.updated_at}; a file is tried again once it changes, or when you refresh the source).`,
        { remembered: true },
      );
    }
  },
  files: (db, spec) => listSourceFiles(db, spec.sourceId, (spec.connection as FileConnection).paths),
};

/**
 * How an imported file differs from what was imported, by a stat of its path
 * (cheap, never opens it, so a FIFO cannot block the listing); null when it
 * looks the same.
 */
function staleness(p: FileProvenance): SourceFile['stale'] {
  const name = path.basename(p.path);
  const keeps = p.kind === 'view' ? `${p.table} reads the file itself and may fail` : `queries still read ${p.table} as it was imported`;
  const refresh = 'refresh the source to import it again';
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p.path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { reason: 'missing', message: `${name} is no longer at ${p.path}; ${keeps} (${p.importedAt}). Put it back, or ${refresh}.` };
    return { reason: 'unreadable', message: `${name} cannot be read any more; ${keeps} (${p.importedAt}).` };
  }
  if (!stat.isFile()) return { reason: 'unreadable', message: `${name} is no longer a regular file; ${keeps} (${p.importedAt}).` };
  if (stat.size !== p.sizeBytes || stat.mtimeMs !== p.mtimeMs) return { reason: 'changed', message: `${name} changed on disk since it was imported; ${keeps} (${p.importedAt}) until you ${refresh}.` };
  return null;
}

/** The files of a source as the UI lists them. */
function listSourceFiles(db: Database, sourceId: string, paths: readonly string[]): SourceFile[] {
  const byPath = new Map(rows(db, sourceId).map((r) => [r.path, r]));
  return paths.map((filePath) => {
    const row = byPath.get(filePath);
    const p = row?.provenance_json ? provenanceOf(row) : null;
    const error = row ? (failureOf(row)?.message ?? null) : 'Not imported yet: test the source or ask a question to import it.';
    const stale = p ? staleness(p) : null;
    return {
      path: filePath,
      status: row?.status ?? 'failed',
      table: p?.table ?? null,
      format: p ? `${p.format}${p.compression === 'gzip' ? ' (gzip)' : ''}` : null,
      encoding: p?.encoding ?? null,
      sizeBytes: p?.sizeBytes ?? null,
      rowCount: p?.rowCount ?? null,
      importedAt: p?.importedAt ?? null,
      notes: p?.notes ?? [],
      error,
      changed: stale !== null,
      stale,
    };
  });
}
