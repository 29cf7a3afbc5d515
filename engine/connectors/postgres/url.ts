import type { SqlConnection, TlsMode } from '../../contract/index';
import { ValidationError } from '../../errors';
import { parseUrlParts, timeoutParam } from '../url-parts';

const SSL_MODES: Record<string, TlsMode> = {
  disable: 'off',
  allow: 'prefer',
  prefer: 'prefer',
  require: 'require',
  'verify-ca': 'verify',
  'verify-full': 'verify',
};

/** `postgres://user:pass@host:5432/db?sslmode=verify-full&sslrootcert=/ca.pem&connect_timeout=10` */
export function parsePostgresUrl(url: string): { connection: unknown; password: string | null } {
  const u = parseUrlParts(url, ['postgres', 'postgresql']);
  if (u.hosts.length > 1) throw new ValidationError('PolyStoreIQ connects to one PostgreSQL host; remove the extra hosts from the URL.', { field: 'url' });
  const sslmode = u.params.get('sslmode') ?? 'prefer';
  const mode = SSL_MODES[sslmode];
  if (!mode) throw new ValidationError(`Unknown sslmode "${sslmode}". Use disable, prefer, require, verify-ca or verify-full.`, { field: 'url' });
  const connection: Partial<SqlConnection> & Record<string, unknown> = {
    host: u.hosts[0]!.host,
    port: u.hosts[0]!.port ?? 5432,
    database: u.database ?? u.user ?? 'postgres',
    user: u.user ?? undefined,
    tls: { mode, ...(u.params.get('sslrootcert') ? { caFile: u.params.get('sslrootcert')! } : {}) },
  };
  const timeout = timeoutParam(u.params, 'connect_timeout', 's');
  if (timeout) connection.connectTimeoutMs = timeout;
  return { connection, password: u.password };
}
