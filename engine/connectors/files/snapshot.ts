import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FileFormat } from './provenance';

/**
 * A file source's DuckDB data lives in its workDir as immutable snapshots:
 * each import writes a new database file and then swaps `files.json` (written
 * to a temporary name and renamed, so readers see the old or the new one,
 * never half of one). Queries open the snapshot the manifest names, read-only.
 * No database file is ever written while another thread reads it, which DuckDB
 * does not allow within one process.
 */
export const MANIFEST_FILE = 'files.json';
/** Snapshot files and what belongs to them: `files-<id>.duckdb`, its `.wal`, and `files-<id>.<n>.parquet` links. */
const SNAPSHOT_PATTERN = /^files-[0-9a-z-]+\./;

export const Manifest = z.object({
  version: z.literal(1),
  database: z.string().regex(/^files-[0-9a-z-]+\.duckdb$/),
  createdAt: z.string(),
  objects: z.array(
    z.object({
      table: z.string(),
      kind: z.enum(['table', 'view']),
      path: z.string(),
      /** What DuckDB reads at query time (views only): the file itself, or a link to it. */
      readPath: z.string().nullable(),
      format: FileFormat,
    }),
  ),
});
export type Manifest = z.infer<typeof Manifest>;

export function newSnapshotName(): string {
  return `files-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}.duckdb`;
}

export function readManifest(workDir: string): Manifest | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(workDir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return Manifest.parse(JSON.parse(text));
}

/** A cheap token that changes whenever the manifest is replaced. */
export function manifestStamp(workDir: string): string | null {
  try {
    const stat = fs.statSync(path.join(workDir, MANIFEST_FILE));
    return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
  } catch {
    return null;
  }
}

export function writeManifest(workDir: string, manifest: Manifest): void {
  const target = path.join(workDir, MANIFEST_FILE);
  const temporary = `${target}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(temporary, target);
}

/**
 * Deletes snapshots other than `keep`. Open readers keep their (unlinked) file
 * on POSIX; where deleting fails (Windows, a file still open) the next import
 * tries again.
 */
export function removeOldSnapshots(workDir: string, keep: string): void {
  const stem = `${keep.replace(/\.duckdb$/, '')}.`;
  for (const name of fs.readdirSync(workDir)) {
    if (!SNAPSHOT_PATTERN.test(name) || name.startsWith(stem)) continue;
    try {
      fs.rmSync(path.join(workDir, name), { force: true });
    } catch {
      // Still in use; removed by a later import.
    }
  }
}
