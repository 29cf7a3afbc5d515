import { ValidationError } from '../errors';

export interface UrlParts {
  scheme: string;
  user: string | null;
  password: string | null;
  /** host:port pairs as written (ports may be missing). */
  hosts: Array<{ host: string; port: number | null }>;
  database: string | null;
  params: URLSearchParams;
}

/**
 * Splits a connection URL by hand rather than with WHATWG URL, which rejects
 * MongoDB's multi-host form (`mongodb://a:1,b:2/db`) and mangles passwords
 * with reserved characters. Errors never include the URL (it may hold a password).
 */
export function parseUrlParts(url: string, schemes: readonly string[]): UrlParts {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i.exec(url.trim());
  if (!match) throw new ValidationError('The connection URL is not valid. Expected scheme://user:password@host:port/database.', { field: 'url' });
  const [, scheme = '', authority = '', pathPart = '', query = ''] = match;
  if (!schemes.includes(scheme.toLowerCase())) {
    throw new ValidationError(`The URL must start with ${schemes.map((s) => `${s}://`).join(' or ')}.`, { field: 'url' });
  }
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : null;
  const hostList = at >= 0 ? authority.slice(at + 1) : authority;
  let user: string | null = null;
  let password: string | null = null;
  if (userinfo !== null) {
    const colon = userinfo.indexOf(':');
    try {
      user = decodeURIComponent(colon >= 0 ? userinfo.slice(0, colon) : userinfo) || null;
      password = colon >= 0 ? decodeURIComponent(userinfo.slice(colon + 1)) : null;
    } catch {
      throw new ValidationError('The user name or password in the URL is not correctly percent-encoded.', { field: 'url' });
    }
  }
  const hosts = hostList
    .split(',')
    .filter(Boolean)
    .map((h) => {
      const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(h);
      const [host, port] = bracket ? [bracket[1]!, bracket[2]] : (h.split(':') as [string, string | undefined]);
      if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new ValidationError('The port in the URL must be a number.', { field: 'url' });
      return { host: decodeURIComponent(host), port: port ? Number(port) : null };
    });
  if (hosts.length === 0) throw new ValidationError('The URL has no host.', { field: 'url' });
  const db = pathPart.replace(/^\//, '');
  return { scheme: scheme.toLowerCase(), user, password, hosts, database: db ? decodeURIComponent(db) : null, params: new URLSearchParams(query.slice(1)) };
}

export function timeoutParam(params: URLSearchParams, name: string, unit: 'ms' | 's'): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ValidationError(`The URL parameter ${name} must be a positive number.`, { field: 'url' });
  return unit === 's' ? n * 1000 : n;
}
