import { ConnectorError, EngineError } from '../../errors';
import { redactor } from '../../log/redact';
import type { ConnectionErrorKind } from '../types';
import { DNS_TIMEOUT } from './lookup';

/** Where a connection was going: enough for a helpful message, never a secret. */
export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  connectTimeoutMs: number;
}

const TLS_CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

/** Failures below the database protocol (DNS, TCP, TLS), which every SQL driver reports alike. */
export function networkErrorKind(error: unknown): ConnectionErrorKind | null {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'PORT_CLOSED';
    case DNS_TIMEOUT:
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return 'HOST_UNREACHABLE';
    case 'ETIMEDOUT':
      return 'TIMEOUT';
  }
  if (typeof code === 'string' && TLS_CERT_CODES.has(code)) return 'TLS_INVALID';
  if (typeof code === 'string' && code.startsWith('ERR_SSL_')) return 'TLS_INVALID';
  if (/certificate|self[- ]signed|Hostname\/IP does not match/i.test(message)) return 'TLS_INVALID';
  return null;
}

/**
 * What to add to a network failure's message: the driver's words for a certificate problem, and for a
 * DNS server that never answered, that (rather than "the host did not answer", which it was not).
 */
export function networkDetail(error: unknown, kind: ConnectionErrorKind): string {
  if (kind === 'TLS_INVALID') return driverMessage(error);
  if ((error as { code?: unknown })?.code === DNS_TIMEOUT) {
    return `${driverMessage(error)} The DNS server is not answering: check your network, VPN or DNS settings.`;
  }
  return '';
}

/** Details that tell a DNS server that never answered (worth a retry) from a name that does not exist. */
export function networkExtra(error: unknown): Record<string, unknown> {
  return (error as { code?: unknown })?.code === DNS_TIMEOUT ? { dns: 'NO_ANSWER' } : {};
}

function describe(kind: ConnectionErrorKind, target: ConnectionTarget, detail: string): string {
  const where = `${target.host}:${target.port}`;
  switch (kind) {
    case 'HOST_UNREACHABLE':
      if (detail) return `Could not reach "${target.host}": ${detail}`;
      return `Could not reach "${target.host}": the name does not resolve or there is no route to it. Check the host name and your network or VPN.`;
    case 'PORT_CLOSED':
      return `Nothing accepted the connection on ${where}. Check the port and that the server is running and listening there.`;
    case 'AUTH_FAILED':
      return `The server refused the login for user "${target.user}". Check the user name and password.`;
    case 'DATABASE_NOT_FOUND':
      return `Database "${target.database}" does not exist on ${where}, or this login may not open it. Check the database name.`;
    case 'TLS_REQUIRED':
      return detail
        ? `${detail} Change the TLS mode or the server's TLS configuration.`
        : `The server does not offer TLS, but this connection requires it. Use TLS mode "prefer" or "off", or enable TLS on the server.`;
    case 'TLS_INVALID':
      return `The server's TLS certificate could not be verified${detail ? ` (${detail})` : ''}. Check the CA file and that the host name matches the certificate, or use TLS mode "require".`;
    case 'TIMEOUT':
      return `${where} did not answer within ${target.connectTimeoutMs} ms. Check the host and port, any firewall or VPN, or raise the connect timeout.`;
    case 'FILE_UNREADABLE':
    case 'UNKNOWN':
      return detail ? `Could not connect to ${where}: ${detail}` : `Could not connect to ${where}.`;
  }
}

/** The actionable, secret-free error for a failed connection. */
export function connectionError(kind: ConnectionErrorKind, target: ConnectionTarget, detail = '', extra: Record<string, unknown> = {}): ConnectorError {
  return new ConnectorError(redactor.redact(describe(kind, target, redactor.redact(detail))), { kind, ...extra });
}

/** A driver's message, redacted, for the places that show it. */
export function driverMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return redactor.redact(text);
}

/** The ConnectionErrorKind carried by an error made here, if any. */
export function connectionErrorKind(error: unknown): ConnectionErrorKind | null {
  if (!(error instanceof EngineError) || error.code !== 'CONNECTOR') return null;
  const kind = error.details?.kind;
  const kinds: ConnectionErrorKind[] = ['HOST_UNREACHABLE', 'PORT_CLOSED', 'AUTH_FAILED', 'DATABASE_NOT_FOUND', 'TLS_REQUIRED', 'TLS_INVALID', 'TIMEOUT', 'FILE_UNREADABLE', 'UNKNOWN'];
  return kinds.includes(kind as ConnectionErrorKind) ? (kind as ConnectionErrorKind) : null;
}
