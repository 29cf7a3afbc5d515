/**
 * Metadata for planner tests, from the real connectors: what the planner
 * gets in the app (the same sample values, types and keys), not a hand-made
 * approximation.
 */
import { createMongoConnector } from '../../engine/connectors/mongodb/connector';
import { createMysqlConnector } from '../../engine/connectors/mysql/connector';
import { createPostgresConnector } from '../../engine/connectors/postgres/connector';
import type { ConnectionSpec } from '../../engine/connectors/types';
import type { MetadataDocument } from '../../engine/contract/index';
import { SourceSettings } from '../../engine/contract/index';
import type { TestDatabase } from './databases';
import type { MongoWireServer } from './mongo-wire/server';
import { mongoSpec } from './mongo-wire/specs';

const SETTINGS = SourceSettings.parse({ statementTimeoutMs: 30_000, rowLimit: 10_000, allowSampleValues: true, sampleSize: 1_000 });

function sqlSpec<T extends 'postgres' | 'mysql'>(type: T, db: TestDatabase): ConnectionSpec<T> {
  return {
    sourceId: `planner-${type}`,
    type,
    connection: { host: db.host, port: db.port, database: db.name, user: db.user, tls: { mode: 'off' }, connectTimeoutMs: 10_000 },
    password: null,
    settings: SETTINGS,
    workDir: '/nonexistent',
  } as ConnectionSpec<T>;
}

export async function pgMetadata(db: TestDatabase): Promise<MetadataDocument> {
  const connector = createPostgresConnector();
  try {
    return await connector.fetchMetadata(sqlSpec('postgres', db), new AbortController().signal);
  } finally {
    await connector.close();
  }
}

export async function mysqlMetadata(db: TestDatabase): Promise<MetadataDocument> {
  const connector = createMysqlConnector();
  try {
    return await connector.fetchMetadata(sqlSpec('mysql', db), new AbortController().signal);
  } finally {
    await connector.close();
  }
}

/** Metadata of one database of a MongoDB test server (the sample data loaded with loadSampleData). */
export async function mongoMetadata(server: MongoWireServer, database: string): Promise<MetadataDocument> {
  const connector = createMongoConnector();
  try {
    return await connector.fetchMetadata(mongoSpec(server, { connection: { database }, settings: SETTINGS, sourceId: `planner-${database}` }), new AbortController().signal);
  } finally {
    await connector.close();
  }
}
