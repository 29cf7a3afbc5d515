import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { CancelledError, ConnectorError } from '../../errors';
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
  /** Calls still connecting: the instance is not closed under them (DuckDB answers that with a bare "Failed to connect"). */
  connecting: number;
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
    snapshot.connecting++;
    let connection: DuckDBConnection;
    try {
      connection = await snapshot.instance.connect();
    } finally {
      snapshot.connecting--;
    }
    if (this.#closed) {
      // Closed while this call connected: it ends here, and closes the instance if it was the last.
      connection.closeSync();
      if (idle(snapshot)) snapshot.instance.closeSync();
      throw new CancelledError('The query was stopped because the files connector closed.');
    }
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
        if (idle(snapshot) && (snapshot.replaced || this.#closed)) snapshot.instance.closeSync();
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
      if (idle(snapshot)) snapshot.instance.closeSync();
    }
    // Each interrupted call closes its connection, and the last one its instance, as it returns.
    await Promise.all(running);
  }

  async #snapshot(workDir: string, role: SnapshotRole, limits: DuckdbLimits): Promise<OpenSnapshot> {
    if (this.#closed) throw closedError();
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
    for (let attempt = 1; ; attempt++) {
      // The stamp is read before the manifest, so a newer import can only make it look older (reopened at next use).
      if (attempt > 1) stamp = manifestStamp(workDir) ?? stamp;
      const manifest = readManifest(workDir);
      if (!manifest) throw notImported();
      // Only Parquet views read files at query time; tables live in the snapshot itself.
      const allowedPaths = manifest.objects.flatMap((o) => (o.readPath ? [o.readPath] : []));
      try {
        const instance = await openLockedDatabase(path.join(workDir, manifest.database), { readOnly: true, allowedPaths, ...limits });
        return { role, limits, instance, manifest, stamp, active: new Map(), connecting: 0, replaced: false };
      } catch (error) {
        // Another import replaced this snapshot (and deleted it) between reading the manifest and opening it: open the new one.
        if (attempt < MAX_OPEN_ATTEMPTS && readManifest(workDir)?.database !== manifest.database) continue;
        throw error;
      }
    }
  }

  #retire(snapshot: OpenSnapshot): void {
    snapshot.replaced = true;
    if (idle(snapshot)) snapshot.instance.closeSync();
  }
}

/** Imports replacing the snapshot while it is being opened, each time: after this many the error stands. */
const MAX_OPEN_ATTEMPTS = 3;

const closedError = () => new ConnectorError('The files connector has been closed.');

/** No call runs on the snapshot or is connecting to it. */
const idle = (snapshot: OpenSnapshot) => snapshot.active.size === 0 && snapshot.connecting === 0;

function sameLimits(a: DuckdbLimits, b: DuckdbLimits): boolean {
  return a.memoryLimitMb === b.memoryLimitMb && a.threads === b.threads;
}
