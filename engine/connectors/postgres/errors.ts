import { ConnectorError, EngineError, TimeoutError } from '../../errors';
import { redactor } from '../../log/redact';
import { statementTimeout } from '../shared/interrupter';
import { connectionError, driverMessage, networkDetail, networkErrorKind, networkExtra, type ConnectionTarget } from '../shared/connection-errors';

interface PgDriverError {
  code?: string;
  message?: string;
  position?: string;
  hint?: string;
  detail?: string;
}

const AUTH_CODES = new Set(['28P01', '28000']);

/** A failure while opening a connection, as one of the actionable ConnectionErrorKinds. */
export function pgConnectError(error: unknown, target: ConnectionTarget): EngineError {
  if (error instanceof EngineError) return error;
  const e = error as PgDriverError;
  const message = e?.message ?? '';
  if (message === 'The server does not support SSL connections') return connectionError('TLS_REQUIRED', target);
  // pg-pool says "timeout exceeded" when every pooled client stayed busy (the server answered), "connection timeout" when a new one got no answer.
  if (/timeout exceeded when trying to connect/i.test(message)) return connectionError('TIMEOUT', target, '', { poolWait: true });
  if (/connection timeout/i.test(message)) return connectionError('TIMEOUT', target);
  if (e?.code === '3D000') return connectionError('DATABASE_NOT_FOUND', target);
  // Starting up or shutting down: worth another attempt (shared/retry.ts).
  if (e?.code === '57P03' || e?.code === '57P01') return connectionError('UNKNOWN', target, driverMessage(error), { sqlState: e.code });
  if (e?.code && AUTH_CODES.has(e.code)) {
    // pg_hba.conf may demand TLS ("no pg_hba.conf entry … no encryption"): say that, not "wrong password".
    if (/no encryption|SSL off/i.test(message)) {
      return connectionError('TLS_REQUIRED', target, 'The server accepts this login only over TLS.');
    }
    return connectionError('AUTH_FAILED', target);
  }
  const network = networkErrorKind(error);
  if (network) return connectionError(network, target, networkDetail(error, network), networkExtra(error));
  if (/terminated unexpectedly|ECONNRESET|socket hang up/i.test(message)) {
    return connectionError('UNKNOWN', target, 'the server closed the connection during the handshake (is this a PostgreSQL port?).', { closedDuringHandshake: true });
  }
  return connectionError('UNKNOWN', target, driverMessage(error));
}

/** A failure of a statement, typed and with the server's (redacted) words. */
export function pgQueryError(error: unknown, options: { timeoutMs: number; positionOffset?: number }): EngineError {
  if (error instanceof EngineError) return error;
  const e = error as PgDriverError;
  const message = redactor.redact(e?.message ?? String(error));
  const code = e?.code;
  if (code === '57014' && /statement timeout/.test(message)) return statementTimeout(options.timeoutMs);
  if (code === '55P03') {
    return new TimeoutError('The query waited too long for a lock held by another session and was stopped. Try again later.', { kind: 'LOCK_TIMEOUT' });
  }
  if (code === '25006' || (code === '0A000' && /data-modifying/.test(message))) {
    return new ConnectorError(`The database refused to write: ${message}. PolyStoreIQ runs every query read-only.`, { kind: 'WRITE_BLOCKED', sqlState: code });
  }
  if (code === '42601' && /cannot insert multiple commands/.test(message)) {
    return new ConnectorError('Only one statement can run at a time: remove everything after the first semicolon.', {
      kind: 'MULTIPLE_STATEMENTS',
      sqlState: code,
    });
  }
  if (code === '42601' && (/at or near "(INSERT|UPDATE|DELETE|MERGE)"/i.test(message) || /SELECT \.\.\. INTO is not allowed/.test(message))) {
    return new ConnectorError(`${message}: statements that write do not run here; PolyStoreIQ runs every query read-only.`, {
      kind: 'WRITE_BLOCKED',
      sqlState: code,
    });
  }
  if (code?.startsWith('08') || code === '57P01' || /Connection terminated|ECONNRESET|ended unexpectedly/i.test(message)) {
    return new ConnectorError(`The connection to the server was lost while the query ran: ${message}`, { kind: 'CONNECTION_LOST', sqlState: code ?? null });
  }
  if (!code) return new ConnectorError(message, { kind: 'QUERY_FAILED' });
  const details: Record<string, unknown> = { kind: 'QUERY_FAILED', sqlState: code };
  const position = Number(e.position);
  if (Number.isInteger(position) && position > 0) {
    const adjusted = position - (options.positionOffset ?? 0);
    if (adjusted > 0) details.position = adjusted;
  }
  const hint = e.hint ? ` (hint: ${redactor.redact(e.hint)})` : '';
  return new ConnectorError(`${message}${hint}`, details);
}
