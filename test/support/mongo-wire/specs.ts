import type { MongoConnection } from '../../../engine/contract/index';
import { SourceSettings } from '../../../engine/contract/index';
import type { ConnectionSpec } from '../../../engine/connectors/types';
import type { MongoWireServer } from './server';

export const DEFAULT_SETTINGS = SourceSettings.parse({ statementTimeoutMs: 30_000, rowLimit: 10_000, allowSampleValues: false, sampleSize: 1_000 });

/** A connector spec for a test server (or any port), database `samples` unless overridden. */
export function mongoSpec(
  target: MongoWireServer | number,
  options: { connection?: Partial<MongoConnection>; password?: string | null; settings?: Partial<SourceSettings>; sourceId?: string } = {},
): ConnectionSpec<'mongodb'> {
  const port = typeof target === 'number' ? target : target.port;
  return {
    sourceId: options.sourceId ?? 'mongo-test',
    type: 'mongodb',
    connection: {
      hosts: [{ host: '127.0.0.1', port }],
      srv: false,
      database: 'samples',
      tls: { mode: 'off' },
      connectTimeoutMs: 3_000,
      ...options.connection,
    },
    password: options.password ?? null,
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
    workDir: '/nonexistent',
  };
}
