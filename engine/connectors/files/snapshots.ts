import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ConnectorError } from '../../errors';
import { openLockedDatabase } from './duckdb';
import { manifestStamp, readManifest, type Manifest } from './snapshot';

/**
 * What a snapshot is opened for. Preview work (EXPLAIN, metadata) runs under
 * the preview budget; execution under the source's own limits. They never
 * share an instance, because DuckDB's limits are per instance and locked.
 */
export type SnapshotRole = 'preview' | 'execute';

export interface DuckdbLimits {
  memoryLimitMb: number;
  threads: number;
}

/** One snapshot opened read-only and locked down, shared by the calls of one source and role in this process. */
export interface OpenSnapshot {
  role: SnapshotRole;
  limits: DuckdbLimits;
  instance: DuckDBInstance;
  manifest: Manifest;
  stamp: string;
  /** Calls running on it, each with a promise that settles when its connection is closed. */
  active: Map<DuckDBConnection, Promise<void>>;
  /** Replaced by a newer import or other limits: closes when its last call ends. */
  replaced: boolean;
}

/** A connection of its own for one call; `release` closes it (and a replaced snapshot after its last call). */
export interface Lease {
  snapshot: OpenSnapshot;
  connection: DuckDBConnection;
  release(): void;
}

const notImported = () => new ConnectorError('The files of this source have not been imported yet. Import them, then query.', { kind: 'NOT_IMPORTED' });

/**
 * The snapshots of every file source this process has queried. A snapshot
 * is reopened when an import replaces it or its limits change. Closing
 * interrupts what still runs and closes each instance only after its last
 * connection, so no native handle is destroyed with a query pending in it.
 */
export class SnapshotCache {
  readonly #snapshots = new Map<string, Promise<OpenSnapshot>>();
  #closed = false;

  async lease(workDir: string, role: SnapshotRole, limits: DuckdbLimits): Promise<Lease> {
    const snapshot = await this.#snapshot(path.resolve(workDir), role, limits);
    const connection = await snapshot.instance.connect();
    let released!: () => void;
    snapshot.active.set(connection, new Promise<void>((resolve) => (released = resolve)));
    let done = false;
    return {
      snapshot,
      connection,
      release: () => {
        if (done) return;
        done = true;
        connection.closeSync();
        snapshot.active.delete(connection);
        released();
        if (snapshot.active.size === 0 && (snapshot.replaced || this.#closed)) snapshot.instance.closeSync();
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const snapshots = await Promise.all([...this.#snapshots.values()].map((p) => p.catch(() => null)));
    this.#snapshots.clear();
    const running: Array<Promise<void>> = [];
    for (const snapshot of snapshots) {
      if (!snapshot) continue;
      for (const [connection, settled] of snapshot.active) {
        connection.interrupt();
        running.push(settled);
      }
      if (snapshot.active.size === 0) snapshot.instance.closeSync();
    }
    // Each interrupted call closes its connection, and the last one its instance, as it returns.
    await Promise.all(running);
  }

  async #snapshot(workDir: string, role: SnapshotRole, limits: DuckdbLimits): Promise<OpenSnapshot> {
    if (this.#closed) throw new ConnectorError('The files connector has been closed.');
    const stamp = manifestStamp(workDir);
    if (stamp === null) throw notImported();
    const key = `${role}\0${workDir}`;
    const cached = this.#snapshots.get(key);
    if (cached) {
      const current = await cached.catch(() => null);
      if (current && current.stamp === stamp && sameLimits(current.limits, limits)) return current;
      if (current) this.#retire(current);
      if (this.#snapshots.get(key) === cached) this.#snapshots.delete(key);
    }
    const opening = this.#open(workDir, role, limits, stamp);
    this.#snapshots.set(key, opening);
    opening.catch(() => this.#snapshots.get(key) === opening && this.#snapshots.delete(key));
    return opening;
  }

  async #open(workDir: string, role: SnapshotRole, limits: DuckdbLimits, stamp: string): Promise<OpenSnapshot> {
    const manifest = readManifest(workDir);
    if (!manifest) throw notImported();
    // Only Parquet views read files at query time; tables live in the snapshot itself.
    const allowedPaths = manifest.objects.flatMap((o) => (o.readPath ? [o.readPath] : []));
    const instance = await openLockedDatabase(path.join(workDir, manifest.database), { readOnly: true, allowedPaths, ...limits });
    return { role, limits, instance, manifest, stamp, active: new Map(), replaced: false };
  }

  #retire(snapshot: OpenSnapshot): void {
    snapshot.replaced = true;
    if (snapshot.active.size === 0) snapshot.instance.closeSync();
  }
}

function sameLimits(a: DuckdbLimits, b: DuckdbLimits): boolean {
  return a.memoryLimitMb === b.memoryLimitMb && a.threads === b.threads;
}
