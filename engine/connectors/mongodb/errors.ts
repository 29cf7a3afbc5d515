import { ConnectorError, EngineError, TimeoutError } from '../../errors';
import { redactor } from '../../log/redact';
import { connectionError, driverMessage, networkDetail, networkErrorKind, networkExtra, type ConnectionTarget } from '../shared/connection-errors';
import type { ConnectionErrorKind } from '../types';

interface DriverError {
  name?: string;
  code?: unknown;
  codeName?: unknown;
  message?: string;
  cause?: unknown;
  reason?: { servers?: Map<string, { error?: unknown }> };
}

/** A server error code; documents read with promoteValues: false carry it as an Int32. */
function codeOf(e: DriverError): number | null {
  const code = e.code;
  if (typeof code === 'number') return code;
  const value = (code as { value?: unknown } | null)?.value;
  return typeof value === 'number' ? value : null;
}

const AUTH_FAILED = 18;
const UNAUTHORIZED = 13;
const MAX_TIME_EXPIRED = 50;

/**
 * The driver wraps the real failure: server selection errors carry each
 * server's last error in `reason.servers`, network errors their Node error
 * in `cause`. Everything in that tree, outermost first.
 */
function errorTree(error: unknown): DriverError[] {
  const out: DriverError[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown) => {
    if (!e || typeof e !== 'object' || seen.has(e) || out.length > 32) return;
    seen.add(e);
    const d = e as DriverError;
    out.push(d);
    visit(d.cause);
    if (d.reason?.servers instanceof Map) for (const server of d.reason.servers.values()) visit(server.error);
  };
  visit(error);
  return out;
}

const TLS_HANDSHAKE_FAILED = /disconnected before secure TLS connection|wrong version number|packet length too long|unknown protocol|EPROTO/i;
const CLOSED_DURING_HANDSHAKE = /connection .*closed|ECONNRESET|socket hang up|socket disconnected/i;

/** Whether a connection attempt over TLS failed because the server does not speak TLS at all. */
export function isNoTlsOnServer(error: unknown): boolean {
  return errorTree(error).some((e) => TLS_HANDSHAKE_FAILED.test(e.message ?? '') || e.code === 'EPROTO');
}

function kindOf(error: unknown, usedTls: boolean): { kind: ConnectionErrorKind; detail: string; extra?: Record<string, unknown> } {
  const tree = errorTree(error);
  if (tree.some((e) => codeOf(e) === AUTH_FAILED || e.codeName === 'AuthenticationFailed')) return { kind: 'AUTH_FAILED', detail: '' };
  for (const e of tree) {
    const network = networkErrorKind(e);
    if (network) return { kind: network, detail: networkDetail(e, network), extra: networkExtra(e) };
  }
  const text = tree.map((e) => e.message ?? '').join('\n');
  if (usedTls && isNoTlsOnServer(error)) return { kind: 'TLS_REQUIRED', detail: '' };
  if (!usedTls && CLOSED_DURING_HANDSHAKE.test(text)) {
    // mongod with requireTLS drops a plain connection without a word.
    return { kind: 'TLS_REQUIRED', detail: 'The server closed the connection during the handshake; it probably accepts TLS connections only.' };
  }
  if (tree.some((e) => e.name === 'MongoNetworkTimeoutError') || /timed out|Server selection timed out/i.test(text)) return { kind: 'TIMEOUT', detail: '' };
  return { kind: 'UNKNOWN', detail: driverMessage(error) };
}

/** A failure while connecting or logging in, as one of the actionable ConnectionErrorKinds. */
export function mongoConnectError(error: unknown, target: ConnectionTarget, usedTls: boolean): EngineError {
  if (error instanceof EngineError) return error;
  const { kind, detail, extra } = kindOf(error, usedTls);
  if (kind === 'AUTH_FAILED') {
    return new ConnectorError(
      redactor.redact(
        `The server refused the login for user "${target.user}". Check the user name and password, and the authentication database ` +
          `(users are often created in "admin").`,
      ),
      { kind },
    );
  }
  return connectionError(kind, target, detail, extra);
}

/** The login is accepted but may not read: the server runs with authentication and this source has no user, or too few roles. */
export function notAuthorized(target: ConnectionTarget): ConnectorError {
  const message = target.user
    ? `User "${target.user}" may not read database "${target.database}". Grant it the read role there, or choose another database.`
    : `The server requires a login to read database "${target.database}". Add a user name and password to this source.`;
  return new ConnectorError(redactor.redact(message), { kind: 'AUTH_FAILED' });
}

export function statementTimeout(timeoutMs: number): TimeoutError {
  const seconds = timeoutMs >= 1000 ? `${+(timeoutMs / 1000).toFixed(1)} s` : `${timeoutMs} ms`;
  return new TimeoutError(
    `The query ran longer than the ${seconds} time limit and was stopped on the server. Add a filter or a limit, or raise the timeout in the source settings.`,
    { kind: 'STATEMENT_TIMEOUT', timeoutMs },
  );
}

/** The server stopped the command at its maxTimeMS. */
export function isMaxTimeExpired(error: unknown): boolean {
  return errorTree(error).some((e) => codeOf(e) === MAX_TIME_EXPIRED || e.codeName === 'MaxTimeMSExpired');
}

export function isUnauthorized(error: unknown): boolean {
  return errorTree(error).some((e) => codeOf(e) === UNAUTHORIZED || e.codeName === 'Unauthorized');
}

/** A failure of a query, typed, with the server's (redacted) words. */
export function mongoQueryError(error: unknown, options: { timeoutMs: number; target: ConnectionTarget; usedTls: boolean }): EngineError {
  if (error instanceof EngineError) return error;
  const tree = errorTree(error);
  const server = tree.find((e) => e.name === 'MongoServerError' || typeof e.codeName === 'string');
  if (server) {
    const code = codeOf(server);
    if (code === MAX_TIME_EXPIRED || server.codeName === 'MaxTimeMSExpired') return statementTimeout(options.timeoutMs);
    if (code === UNAUTHORIZED) return notAuthorized(options.target);
    return new ConnectorError(redactor.redact(server.message ?? 'The server refused the query.'), {
      kind: 'QUERY_FAILED',
      serverCode: code,
      codeName: typeof server.codeName === 'string' ? server.codeName : null,
    });
  }
  if (tree.some((e) => /^MongoNetwork|MongoServerSelection|MongoTopologyClosed/.test(e.name ?? ''))) {
    const connect = mongoConnectError(error, options.target, options.usedTls);
    return new ConnectorError(`The connection to the server was lost or could not be opened: ${connect.message}`, {
      kind: 'CONNECTION_LOST',
      connectionKind: connect.details?.kind ?? 'UNKNOWN',
    });
  }
  return new ConnectorError(driverMessage(error), { kind: 'QUERY_FAILED' });
}
