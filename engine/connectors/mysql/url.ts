import type { SqlConnection, TlsMode } from '../../contract/index';
import { ValidationError } from '../../errors';
import { parseUrlParts, timeoutParam } from '../url-parts';

const SSL_MODES: Record<string, TlsMode> = {
  disabled: 'off',
  preferred: 'prefer',
  required: 'require',
  verify_ca: 'verify',
  verify_identity: 'verify',
};

/** `mysql://user:pass@host:3306/db?ssl-mode=REQUIRED&ssl-ca=/ca.pem&connect-timeout=10` */
export function parseMysqlUrl(url: string): { connection: unknown; password: string | null } {
  const u = parseUrlParts(url, ['mysql', 'mariadb']);
  if (u.hosts.length > 1) throw new ValidationError('PolyStoreIQ connects to one MySQL host; remove the extra hosts from the URL.', { field: 'url' });
  if (!u.database) throw new ValidationError('Add the database name to the URL: mysql://user@host:3306/database.', { field: 'url' });
  const raw = (u.params.get('ssl-mode') ?? u.params.get('sslMode') ?? 'preferred').toLowerCase();
  const mode = SSL_MODES[raw];
  if (!mode) throw new ValidationError(`Unknown ssl-mode "${raw}". Use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY.`, { field: 'url' });
  const ca = u.params.get('ssl-ca') ?? u.params.get('sslCa');
  const connection: Partial<SqlConnection> & Record<string, unknown> = {
    host: u.hosts[0]!.host,
    port: u.hosts[0]!.port ?? 3306,
    database: u.database,
    user: u.user ?? undefined,
    tls: { mode, ...(ca ? { caFile: ca } : {}) },
  };
  const timeout = timeoutParam(u.params, 'connect-timeout', 's') ?? timeoutParam(u.params, 'connectTimeout', 'ms');
  if (timeout) connection.connectTimeoutMs = timeout;
  return { connection, password: u.password };
}
