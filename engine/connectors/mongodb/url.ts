import type { MongoConnection } from '../../contract/index';
import { ValidationError } from '../../errors';
import { parseUrlParts, timeoutParam } from '../url-parts';

/** `mongodb://user:pass@h1:27017,h2:27017/db?authSource=admin&replicaSet=rs0&tls=true&tlsCAFile=/ca.pem`, or `mongodb+srv://…`. */
export function parseMongoUrl(url: string): { connection: unknown; password: string | null } {
  const u = parseUrlParts(url, ['mongodb', 'mongodb+srv']);
  const srv = u.scheme === 'mongodb+srv';
  if (srv && (u.hosts.length !== 1 || u.hosts[0]!.port !== null)) {
    throw new ValidationError('A mongodb+srv:// URL names exactly one host and no port.', { field: 'url' });
  }
  if (!u.database) throw new ValidationError('Add the database name to the URL: mongodb://host:27017/database.', { field: 'url' });
  const tlsOn = (u.params.get('tls') ?? u.params.get('ssl')) === 'true' || srv;
  const ca = u.params.get('tlsCAFile');
  const connection: Partial<MongoConnection> & Record<string, unknown> = {
    hosts: u.hosts.map((h) => ({ host: h.host, port: h.port ?? 27017 })),
    srv,
    database: u.database,
    ...(u.user ? { user: u.user } : {}),
    ...(u.params.get('authSource') ? { authSource: u.params.get('authSource')! } : {}),
    ...(u.params.get('replicaSet') ? { replicaSet: u.params.get('replicaSet')! } : {}),
    tls: { mode: ca ? 'verify' : tlsOn ? (u.params.get('tlsAllowInvalidCertificates') === 'true' ? 'require' : 'verify') : 'off', ...(ca ? { caFile: ca } : {}) },
  };
  const timeout = timeoutParam(u.params, 'connectTimeoutMS', 'ms');
  if (timeout) connection.connectTimeoutMs = timeout;
  return { connection, password: u.password };
}
