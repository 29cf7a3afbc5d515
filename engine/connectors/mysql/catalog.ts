import type mysql from 'mysql2/promise';
import { EngineError, PreviewLimitError } from '../../errors';
import { raceAbort } from '../shared/abort';
import { PREVIEW_BUDGET } from '../shared/preview-budget';
import type { ConnectionSpec } from '../types';
import type { MysqlFlavor } from './functions';
import { validateMysqlQuery } from './guardrail';
import type { MysqlSource } from './pools';
import { foldUpper } from './lexer';
import { viewKey } from './relations';
import { inReadOnlyTransaction } from './session';

/**
 * What validation needs from the server, read once per source and kept for
 * a short while: the flavour (which built-ins exist) and a verdict on every
 * view of the readable databases.
 *
 * A view runs its definition, with its definer's rights when it is SQL
 * SECURITY DEFINER (the default): `SELECT * FROM v` can call a stored
 * function that takes a named lock or reads a file, or read mysql.user
 * through a definer who may. So each definition (as the server normalised
 * it: every table qualified, no comments) goes through the same guardrail
 * as a query, and a view is readable only if its definition would be; a
 * view over a refused view is refused too. A definition the login may not
 * see (no SHOW VIEW) cannot be checked, so that view is refused.
 */
export interface MysqlCatalog {
  flavor: MysqlFlavor;
  views: ReadonlyMap<string, string | null>;
  /** Stored functions of the readable databases and loadable functions, upper-case (see MysqlGuardrailOptions). */
  storedFunctions: ReadonlySet<string>;
}

/** How long a catalog is used before it is read again (a view replaced meanwhile is judged by its old definition). */
export const CATALOG_TTL_MS = 60_000;
/** Beyond this many views, the rest are refused unchecked rather than making validation slow. */
const MAX_VIEWS = 2_000;

export interface ViewRow {
  schema: string;
  name: string;
  definition: string;
}

/** Why each view may not be read (null: it may), by viewKey(). */
export function vetViews(
  rows: readonly ViewRow[],
  options: { readableDatabases: readonly string[]; trustedFunctionSchemas: readonly string[]; flavor: MysqlFlavor | null; storedFunctions?: ReadonlySet<string> },
): Map<string, string | null> {
  const verdicts = new Map<string, string | null>(rows.map((v) => [viewKey(v.schema, v.name), null]));
  rows.slice(MAX_VIEWS).forEach((v) => verdicts.set(viewKey(v.schema, v.name), `the source has more than ${MAX_VIEWS} views, and this one was not checked.`));
  const checked = rows.slice(0, MAX_VIEWS);
  // Refusals only grow, and a view can only depend on views created before it: this ends.
  for (let changed = true; changed; ) {
    changed = false;
    for (const view of checked) {
      const key = viewKey(view.schema, view.name);
      if (verdicts.get(key) !== null) continue;
      const why = view.definition.trim() === '' ? 'its definition is hidden from this login (grant SHOW VIEW on its database so it can be checked).' : refusalOf(view, options, verdicts);
      if (why !== null) {
        verdicts.set(key, why);
        changed = true;
      }
    }
  }
  return verdicts;
}

function refusalOf(view: ViewRow, options: Parameters<typeof vetViews>[1], verdicts: ReadonlyMap<string, string | null>): string | null {
  const verdict = validateMysqlQuery(view.definition, { ...options, database: view.schema, views: verdicts, viewDefinition: true });
  if (verdict.allowed) return null;
  return `its definition would be refused as a query (${verdict.reasons[0]!.message.replace(/\.$/, '')}).`;
}

interface Cached {
  expires: number;
  catalog: Promise<MysqlCatalog>;
}
const cache = new WeakMap<MysqlSource, Map<string, Cached>>();

/** Forgets what was read for this source (after a metadata refresh, say), so new views are checked. */
export function forgetCatalog(source: MysqlSource): void {
  cache.delete(source);
}

/**
 * The catalog for validation, read within the preview budget: running out of
 * time is PreviewLimitError; a connection problem is the connection's error.
 */
export function mysqlCatalog(source: MysqlSource, spec: ConnectionSpec<'mysql'>, signal: AbortSignal): Promise<MysqlCatalog> {
  const readable = [spec.connection.database, ...spec.settings.readableDatabases];
  const key = JSON.stringify([readable, spec.settings.trustedFunctionSchemas]);
  const entries = cache.get(source) ?? new Map<string, Cached>();
  cache.set(source, entries);
  const hit = entries.get(key);
  if (hit && hit.expires > performance.now()) return raceAbort(hit.catalog, signal);
  // Shared by every caller until it expires, so no one caller's cancel may end it: the budget does.
  const catalog = readCatalog(source, readable, spec.settings.trustedFunctionSchemas);
  entries.set(key, { expires: performance.now() + CATALOG_TTL_MS, catalog });
  catalog.catch(() => entries.delete(key));
  return raceAbort(catalog, signal);
}

async function readCatalog(source: MysqlSource, readable: string[], trusted: readonly string[]): Promise<MysqlCatalog> {
  const options = {
    signal: new AbortController().signal,
    timeoutMs: PREVIEW_BUDGET.timeMs,
    selectLimit: null,
    timeoutError: () => new PreviewLimitError(`The source's views could not be read within the ${PREVIEW_BUDGET.timeMs / 1000} s allowed for checking a query.`, { timeoutMs: PREVIEW_BUDGET.timeMs }),
  };
  return inReadOnlyTransaction(source, options, async (conn, { run, flavour, discard }) => {
    const names = async (sql: string): Promise<string[]> => {
      const [found] = await run(() => conn.query<mysql.RowDataPacket[]>({ sql, values: sql.includes('?') ? [readable] : [], rowsAsArray: true }));
      return found.map((r) => foldUpper(String(r[0])));
    };
    const storedFunctions = new Set(await names("SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_TYPE = 'FUNCTION' AND ROUTINE_SCHEMA IN (?)"));
    try {
      for (const name of await names('SELECT name FROM mysql.func')) storedFunctions.add(name);
    } catch (error) {
      // Only a login that may read mysql.func sees the loadable functions (CREATE FUNCTION … SONAME
      // refuses the names of native functions anyway). A cancel or time-out still ends the read.
      if (error instanceof EngineError && (error.code === 'CANCELLED' || error.code === 'TIMEOUT')) throw error;
      discard();
    }
    const [rows] = await run(() =>
      conn.query<mysql.RowDataPacket[]>({
        sql: 'SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN (?) ORDER BY TABLE_SCHEMA, TABLE_NAME',
        values: [readable],
        rowsAsArray: true,
      }),
    );
    const flavor: MysqlFlavor = flavour.mariadb ? 'mariadb' : 'mysql';
    const views = rows.map((r) => ({ schema: String(r[0]), name: String(r[1]), definition: r[2] === null ? '' : String(r[2]) }));
    return { flavor, storedFunctions, views: vetViews(views, { readableDatabases: readable, trustedFunctionSchemas: trusted, flavor, storedFunctions }) };
  });
}
