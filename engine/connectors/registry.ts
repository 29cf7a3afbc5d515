import type { SourceType } from '../contract/index';
import type { Connector } from './types';

/**
 * Worker-side: one connector instance per store and thread, created on first
 * use; each instance owns its connection pools. Each store's code and driver
 * load only when a job for that store first arrives: a thread that checks a
 * PostgreSQL query does not load DuckDB, the MongoDB driver or the MySQL
 * parser (about a second of CPU on a busy machine, on every CLI command).
 * Worker threads started from the sources load through engine/pool/worker-source.mjs,
 * which gives them tsx's loader so these imports resolve.
 */
const factories: Record<SourceType, () => Promise<Connector>> = {
  postgres: async () => (await import('./postgres/connector')).createPostgresConnector(),
  mysql: async () => (await import('./mysql/connector')).createMysqlConnector(),
  mongodb: async () => (await import('./mongodb/connector')).createMongoConnector(),
  file: async () => (await import('./files/connector')).createFilesConnector(),
};

const instances = new Map<SourceType, Promise<Connector>>();

export function connectorFor(type: SourceType): Promise<Connector> {
  let instance = instances.get(type);
  if (!instance) {
    // A store whose code failed to load is tried again by the next job, not failed forever.
    instance = factories[type]().catch((error: unknown) => {
      instances.delete(type);
      throw error;
    });
    instances.set(type, instance);
  }
  return instance;
}

/** Replaces a store's connector in this thread (unit tests put a fake one behind the inline pool). */
export function useConnector(type: SourceType, connector: Connector): void {
  instances.set(type, Promise.resolve(connector));
}

export async function closeConnectors(): Promise<void> {
  const all = [...instances.values()];
  instances.clear();
  await Promise.allSettled(all.map(async (c) => (await c).close()));
}
