import { ConnectorError, EngineError, TimeoutError } from '../../errors';
import { redactor } from '../../log/redact';
import { statementTimeout } from '../shared/interrupter';
import { connectionError, driverMessage, networkDetail, networkErrorKind, networkExtra, type ConnectionTarget } from '../shared/connection-errors';

interface MysqlDriverError {
  code?: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
  message?: string;
  fatal?: boolean;
}

const AUTH_ERRNOS = new Set([1045, 1698, 1130, 1251]);

export function mysqlConnectError(error: unknown, target: ConnectionTarget): EngineError {
  if (error instanceof EngineError) return error;
  const e = error as MysqlDriverError;
  if (e?.code === 'HANDSHAKE_NO_SSL_SUPPORT') return connectionError('TLS_REQUIRED', target);
  if (e?.errno === 3159) return connectionError('TLS_REQUIRED', target, 'The server accepts connections only over TLS.');
  if (e?.errno === 1049 || e?.errno === 1044) return connectionError('DATABASE_NOT_FOUND', target);
  if (e?.errno !== undefined && AUTH_ERRNOS.has(e.errno)) return connectionError('AUTH_FAILED', target);
  const network = networkErrorKind(error);
  if (network) return connectionError(network, target, networkDetail(error, network), networkExtra(error));
  if (e?.code === 'PROTOCOL_CONNECTION_LOST' || e?.code === 'ECONNRESET' || e?.code === 'HANDSHAKE_SSL_ERROR') {
    return connectionError('UNKNOWN', target, 'the server closed the connection during the handshake (is this a MySQL or MariaDB port?).', { closedDuringHandshake: true });
  }
  return connectionError('UNKNOWN', target, driverMessage(error));
}

/** MariaDB's max_statement_time (1969), MySQL's max_execution_time (3024; 1907 in 5.7.4–5.7.7). */
const TIMEOUT_ERRNOS = new Set([1969, 3024, 1907]);

export function mysqlQueryError(error: unknown, options: { timeoutMs: number; timeoutError?: () => EngineError }): EngineError {
  if (error instanceof EngineError) return error;
  const e = error as MysqlDriverError;
  const message = redactor.redact(e?.sqlMessage ?? e?.message ?? String(error));
  if (e?.errno !== undefined && TIMEOUT_ERRNOS.has(e.errno)) return options.timeoutError?.() ?? statementTimeout(options.timeoutMs);
  if (e?.errno === 1205) {
    return new TimeoutError('The query waited too long for a lock held by another session and was stopped. Try again later.', { kind: 'LOCK_TIMEOUT' });
  }
  if (e?.errno === 1792) {
    return new ConnectorError(`The database refused to write: ${message}. PolyStoreIQ runs every query read-only.`, { kind: 'WRITE_BLOCKED', errno: 1792 });
  }
  if (e?.errno === undefined || e.fatal) {
    return new ConnectorError(`The connection to the server was lost while the query ran: ${message}`, { kind: 'CONNECTION_LOST' });
  }
  return new ConnectorError(message, { kind: 'QUERY_FAILED', errno: e.errno, sqlState: e.sqlState ?? null });
}
