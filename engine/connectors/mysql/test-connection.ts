import type mysql from 'mysql2/promise';
import { EngineError } from '../../errors';
import { connectionErrorKind } from '../shared/connection-errors';
import type { ConnectionTestResult } from '../types';
import type { MysqlSource } from './pools';
import { inReadOnlyTransaction } from './session';

const TEST_TIMEOUT_MS = 10_000;

/** Privileges that let a login change data, schema, users or server files. */
const WRITE_PRIVILEGES = new Set([
  'ALL',
  'ALL PRIVILEGES',
  'INSERT',
  'UPDATE',
  'DELETE',
  'DELETE HISTORY',
  'CREATE',
  'DROP',
  'ALTER',
  'INDEX',
  'CREATE VIEW',
  'CREATE ROUTINE',
  'ALTER ROUTINE',
  'EVENT',
  'TRIGGER',
  'FILE',
  'SUPER',
  'CREATE USER',
  'CREATE TABLESPACE',
]);

/** Splits "SELECT, INSERT (a, b), UPDATE" at top-level commas. */
function splitPrivileges(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of list) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += c;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/**
 * Why these SHOW GRANTS lines let the login write, as "PRIVILEGE on target".
 * Only the privilege and the target are kept: a grant line can carry a
 * password hash (IDENTIFIED BY PASSWORD …), which must never be repeated.
 */
export function writeGrants(lines: string[]): string[] {
  const reasons: string[] = [];
  for (const line of lines) {
    const m = /^GRANT\s+(.+?)\s+ON\s+(?:(?:TABLE|FUNCTION|PROCEDURE|PACKAGE(?: BODY)?)\s+)?(\S+)\s+TO\s/i.exec(line);
    if (!m) continue;
    for (const privilege of splitPrivileges(m[1]!)) {
      const name = privilege.replace(/\s*\(.*\)$/, '').toUpperCase();
      if (WRITE_PRIVILEGES.has(name)) reasons.push(`${name} on ${m[2]}`);
    }
  }
  return reasons;
}

export async function testMysqlConnection(source: MysqlSource, signal: AbortSignal): Promise<ConnectionTestResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const { flavour, grants } = await inReadOnlyTransaction(source, { signal, timeoutMs: TEST_TIMEOUT_MS, selectLimit: null }, async (conn, { run, flavour }) => {
      const [rows] = await run(() => conn.query<mysql.RowDataPacket[]>({ sql: 'SHOW GRANTS', rowsAsArray: true }));
      return { flavour, grants: rows.map((r) => String(r[0])) };
    });
    const writeDetails = writeGrants(grants);
    return {
      ok: true,
      latencyMs: elapsed(),
      serverVersion: flavour.mariadb ? flavour.version : `MySQL ${flavour.version}`,
      canWrite: writeDetails.length > 0,
      writeDetails,
      risks: [],
    };
  } catch (error) {
    if (error instanceof EngineError && error.code === 'CANCELLED') throw error;
    const message = error instanceof EngineError ? error.message : 'The connection test failed unexpectedly.';
    return { ok: false, latencyMs: elapsed(), serverVersion: null, canWrite: null, writeDetails: [], risks: [], error: { kind: connectionErrorKind(error) ?? 'UNKNOWN', message } };
  }
}
