import type { SourceType } from '../contract/index';
import { createFilesConnector } from './files/connector';
import { createMongoConnector } from './mongodb/connector';
import { createMysqlConnector } from './mysql/connector';
import { createPostgresConnector } from './postgres/connector';
import type { Connector } from './types';

/**
 * Worker-side: one connector instance per store and thread, created on first
 * use; each instance owns its connection pools. (Imports are static: tsx's
 * loader does not reach dynamic imports inside worker threads, and a bundle
 * would include them anyway.)
 */
const factories: Record<SourceType, () => Connector> = {
  postgres: createPostgresConnector,
  mysql: createMysqlConnector,
  mongodb: createMongoConnector,
  file: createFilesConnector,
};

const instances = new Map<SourceType, Connector>();

export function connectorFor(type: SourceType): Connector {
  let instance = instances.get(type);
  if (!instance) {
    instance = factories[type]();
    instances.set(type, instance);
  }
  return instance;
}

/** Replaces a store's connector in this thread (unit tests put a fake one behind the inline pool). */
export function useConnector(type: SourceType, connector: Connector): void {
  instances.set(type, connector);
}

export async function closeConnectors(): Promise<void> {
  const all = [...instances.values()];
  instances.clear();
  await Promise.allSettled(all.map((c) => c.close()));
}
