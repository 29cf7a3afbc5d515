/**
 * Layer 1 for PostgreSQL: the query is parsed by PostgreSQL's own parser
 * (libpg-query, WASM) and the whole tree is walked. Exactly one statement,
 * and only a query: SELECT, WITH … SELECT, VALUES, TABLE, or EXPLAIN of one of
 * those without ANALYZE. Data-modifying CTEs, SELECT INTO, locking clauses and
 * calls to side-effecting functions are refused wherever they appear.
 */
import { dedupeReasons, reasonAt, refusal } from '../shared/verdict';
import { loadModule, parseSync, scanSync } from 'libpg-query';
import type { Verdict, VerdictReason, VerdictReasonCode } from '../../contract/query.contract';

/** The longest query text accepted, in characters (about 100 KB). */
export const MAX_POSTGRES_QUERY_LENGTH = 100_000;

type Rule = { code: VerdictReasonCode; why: string };
const forbidden = (why: string): Rule => ({ code: 'FORBIDDEN_FUNCTION', why });
const file = (why: string): Rule => ({ code: 'FILE_ACCESS', why });

const BLOCKS = forbidden('it can block the database');
const SIGNALS = forbidden('it signals or stops other sessions');
const SERVER = forbidden('it changes the server\u2019s state or configuration');
const REPLICATION = forbidden('it changes replication state');
const SESSION = forbidden('it changes session state');
const SEQUENCE = forbidden('it advances a sequence, which is a write');
const SQL_TEXT = forbidden('it runs SQL given as text, which cannot be checked in advance');
const LARGE_OBJECT = forbidden('it creates, changes or reads large objects');
const REMOTE = forbidden('it connects to another database');
const STATS = forbidden('it changes or resets statistics');
const STORAGE = forbidden('it changes how data is stored or cached');
const XID = forbidden('it assigns a transaction id, which is a write');
const SERVER_FILES = file('it reads or writes files on the database server');

/** Exact names, compared case-insensitively whatever the schema. */
const FUNCTIONS = new Map<string, Rule>([
  ['pg_terminate_backend', SIGNALS],
  ['pg_cancel_backend', SIGNALS],
  ['pg_signal_backend', SIGNALS],
  ['pg_log_backend_memory_contexts', SERVER],
  ['pg_reload_conf', SERVER],
  ['pg_rotate_logfile', SERVER],
  ['pg_rotate_logfile_old', SERVER],
  ['pg_switch_wal', SERVER],
  ['pg_switch_xlog', SERVER],
  ['pg_promote', SERVER],
  ['pg_import_system_collations', SERVER],
  ['pg_start_backup', SERVER],
  ['pg_stop_backup', SERVER],
  ['pg_log_standby_snapshot', SERVER],
  ['pg_drop_replication_slot', REPLICATION],
  ['pg_replication_slot_advance', REPLICATION],
  ['pg_sync_replication_slots', REPLICATION],
  ['set_config', SESSION],
  ['nextval', SEQUENCE],
  ['setval', SEQUENCE],
  ['txid_current', XID],
  ['pg_current_xact_id', XID],
  ['pg_notify', forbidden('it sends a notification to other sessions')],
  ['loread', LARGE_OBJECT],
  ['lowrite', LARGE_OBJECT],
  ['ts_stat', SQL_TEXT],
  ['connectby', SQL_TEXT],
  ['xpath_table', SQL_TEXT],
  ['pg_prewarm', STORAGE],
  ['pg_truncate_visibility_map', STORAGE],
  ['heap_force_kill', STORAGE],
  ['heap_force_freeze', STORAGE],
  ['pg_restore_relation_stats', STATS],
  ['pg_restore_attribute_stats', STATS],
  ['pg_clear_relation_stats', STATS],
  ['pg_clear_attribute_stats', STATS],
  ['pg_stat_statements_reset', STATS],
  ['pg_stat_file', SERVER_FILES],
  ['pg_logdir_ls', SERVER_FILES],
  ['lo_import', file('it reads a file on the database server into the database')],
  ['lo_export', file('it writes a file on the database server')],
]);

/** Families of functions, matched by name prefix. */
const PREFIXES: Array<[string, Rule]> = [
  ['pg_sleep', BLOCKS],
  ['pg_advisory', forbidden('it takes advisory locks that can block other sessions')],
  ['pg_try_advisory', forbidden('it takes advisory locks that can block other sessions')],
  ['pg_read_', SERVER_FILES],
  ['pg_ls_', file('it lists files on the database server')],
  ['pg_file_', SERVER_FILES],
  ['lo_', LARGE_OBJECT],
  ['dblink', REMOTE],
  ['query_to_xml', SQL_TEXT],
  ['cursor_to_xml', SQL_TEXT],
  ['table_to_xml', SQL_TEXT],
  ['schema_to_xml', SQL_TEXT],
  ['database_to_xml', SQL_TEXT],
  ['crosstab', SQL_TEXT],
  ['pg_create_', REPLICATION],
  ['pg_copy_', REPLICATION],
  ['pg_logical_', REPLICATION],
  ['pg_replication_origin_', REPLICATION],
  ['pg_wal_replay_', SERVER],
  ['pg_backup_', SERVER],
  ['pg_stat_reset', STATS],
  ['pg_buffercache_evict', STORAGE],
];

/** Returns why a function may not be called, or null when it may. */
export function forbiddenPostgresFunction(name: string): Rule | null {
  const lower = name.toLowerCase();
  const exact = FUNCTIONS.get(lower);
  if (exact) return exact;
  for (const [prefix, rule] of PREFIXES) if (lower.startsWith(prefix)) return rule;
  return null;
}

/** Statements that change data; nested anywhere inside a query they can only be a data-modifying CTE. */
const WRITE_NODES: Record<string, string> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};

/** Readable names for the statements people most often try; others are derived from the node name. */
const STATEMENT_NAMES: Record<string, string> = {
  ...WRITE_NODES,
  CreateStmt: 'CREATE TABLE',
  CreateTableAsStmt: 'CREATE TABLE AS',
  DropStmt: 'DROP',
  TruncateStmt: 'TRUNCATE',
  AlterTableStmt: 'ALTER TABLE',
  AlterSystemStmt: 'ALTER SYSTEM',
  VariableSetStmt: 'SET',
  VariableShowStmt: 'SHOW',
  CopyStmt: 'COPY',
  CallStmt: 'CALL',
  DoStmt: 'DO',
  GrantStmt: 'GRANT or REVOKE',
  GrantRoleStmt: 'GRANT or REVOKE',
  VacuumStmt: 'VACUUM or ANALYZE',
  ListenStmt: 'LISTEN',
  UnlistenStmt: 'UNLISTEN',
  NotifyStmt: 'NOTIFY',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeallocateStmt: 'DEALLOCATE',
  LockStmt: 'LOCK',
  TransactionStmt: 'Transaction control (BEGIN, COMMIT, ROLLBACK \u2026)',
  DeclareCursorStmt: 'DECLARE CURSOR',
  IndexStmt: 'CREATE INDEX',
  ViewStmt: 'CREATE VIEW',
  CreateFunctionStmt: 'CREATE FUNCTION',
  CreateRoleStmt: 'CREATE ROLE',
  AlterRoleStmt: 'ALTER ROLE',
  CreateExtensionStmt: 'CREATE EXTENSION',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  DiscardStmt: 'DISCARD',
  CheckPointStmt: 'CHECKPOINT',
  ReindexStmt: 'REINDEX',
  ClusterStmt: 'CLUSTER',
  CommentStmt: 'COMMENT',
  LoadStmt: 'LOAD',
};

const LOCK_STRENGTH: Record<string, string> = {
  LCS_FORUPDATE: 'FOR UPDATE',
  LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE',
  LCS_FORSHARE: 'FOR SHARE',
  LCS_FORKEYSHARE: 'FOR KEY SHARE',
};

const ONLY_QUERIES = 'only queries that read (SELECT, WITH \u2026 SELECT, VALUES, TABLE, or EXPLAIN without ANALYZE) can run';

let loading: Promise<void> | null = null;
let loaded = false;

/** Loads the parser's WASM module once; later calls return the same promise. */
export function loadPostgresGuardrail(): Promise<void> {
  loading ??= loadModule().then(() => {
    loaded = true;
  });
  return loading;
}

/** Static check of one PostgreSQL query with PostgreSQL's own parser; never touches a database. */
export async function validatePostgresQuery(sql: string): Promise<Verdict> {
  const early = precheck(sql);
  if (early) return early;
  if (!loaded) await loadPostgresGuardrail();
  return check(sql);
}

/** The same check without awaiting; call loadPostgresGuardrail() once first, or it throws. */
export function validatePostgresQuerySync(sql: string): Verdict {
  const early = precheck(sql);
  if (early) return early;
  if (!loaded) throw new Error('The PostgreSQL parser is not loaded yet: await loadPostgresGuardrail() first.');
  return check(sql);
}

function precheck(sql: string): Verdict | null {
  if (sql.trim() === '') return refusal('EMPTY_QUERY', 'The query is empty.');
  if (sql.length > MAX_POSTGRES_QUERY_LENGTH) {
    return refusal('TOO_LONG', `The query is ${sql.length.toLocaleString('en')} characters long; the limit is ${MAX_POSTGRES_QUERY_LENGTH.toLocaleString('en')}.`);
  }
  return null;
}

type Json = Record<string, unknown>;

function check(sql: string): Verdict {
  let tree: { stmts?: Array<{ stmt?: Json; stmt_location?: number }> };
  try {
    tree = parseSync(sql) as typeof tree;
  } catch (error) {
    const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    const message = details?.message ?? (error as Error).message;
    const reason: VerdictReason = { code: 'PARSE_ERROR', message: `PostgreSQL cannot parse the query: ${message}.` };
    if (typeof details?.cursorPosition === 'number' && details.cursorPosition >= 0) reason.position = details.cursorPosition;
    return { allowed: false, reasons: [reason], statementKind: null };
  }

  if (sql.includes('\\')) {
    const ambiguous = ambiguousBackslash(sql);
    if (ambiguous !== null) {
      return refusal('PARSE_ERROR', "A backslash before a quote inside a '…' string is ambiguous: with standard_conforming_strings off, the server would end the string somewhere else and run what follows. Write a quote as '' or use an E'…' string.", null, ambiguous);
    }
  }

  const statements = tree.stmts ?? [];
  if (statements.length === 0) return refusal('EMPTY_QUERY', 'The query has no statement, only comments or semicolons.');
  if (statements.length > 1) {
    return refusal('MULTIPLE_STATEMENTS', `The query has ${statements.length} statements; send exactly one, without a second statement after a semicolon.`, null, statements[1]?.stmt_location);
  }

  const root = statements[0]!.stmt ?? {};
  const reasons: VerdictReason[] = [];
  let statementKind: string;
  let query: unknown = root;
  const [rootType] = Object.keys(root);

  if (rootType === 'ExplainStmt') {
    statementKind = 'explain';
    const explain = root.ExplainStmt as Json;
    const options = (explain.options as Json[] | undefined) ?? [];
    const analyze = options.map((o) => o.DefElem as Json | undefined).find((d) => d?.defname === 'analyze');
    if (analyze) {
      reasons.push(reasonAt({ code: 'EXPLAIN_ANALYZE', message: 'EXPLAIN ANALYZE is not allowed: ANALYZE runs the statement for real, so anything it does would happen. Use EXPLAIN without ANALYZE.' }, analyze.location));
    }
    query = explain.query;
    const [innerType] = Object.keys((query as Json | undefined) ?? {});
    if (innerType !== 'SelectStmt') {
      reasons.push({ code: 'NOT_A_QUERY', message: `EXPLAIN of ${statementName(innerType)} is not allowed: ${ONLY_QUERIES}.` });
      return { allowed: false, reasons, statementKind };
    }
  } else if (rootType === 'SelectStmt') {
    statementKind = (root.SelectStmt as Json).valuesLists ? 'values' : 'select';
  } else {
    return refusal('NOT_A_QUERY', `${statementName(rootType)} is not allowed: ${ONLY_QUERIES}.`, statementKindOf(rootType), statements[0]!.stmt_location);
  }

  walk(query, reasons);
  return { allowed: reasons.length === 0, reasons: dedupeReasons(reasons, { perPosition: true }), statementKind };
}

/**
 * Visits every node of the tree (target lists, FROM, WHERE, ORDER BY, CTEs,
 * subqueries, lateral joins, set operations, function arguments …) without
 * recursion, so a deeply nested query cannot exhaust the stack.
 */
function walk(root: unknown, reasons: VerdictReason[]): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    for (const [key, child] of Object.entries(value as Json)) {
      if (child === null || typeof child !== 'object') continue;
      const node = child as Json;
      if (key in WRITE_NODES) {
        reasons.push(reasonAt({ code: 'WRITE_CTE', message: `A data-modifying ${WRITE_NODES[key]} inside the query is not allowed: it would change data even though the outer statement only reads.` }, locationOf(node)));
      } else if (key === 'SelectStmt') {
        checkSelect(node, reasons);
      } else if (key === 'FuncCall') {
        checkFunction(node, reasons);
      }
      stack.push(child);
    }
  }
}

/**
 * libpg-query reads strings as a server with standard_conforming_strings on (the default). With it
 * off, backslash escapes a quote, so `'a\\' , pg_sleep(10) , '…'` hides a call in what looks like a
 * string. An odd run of backslashes before a quote in a plain '…' literal is the only place the two
 * readings part; E'…' and dollar-quoted strings read the same either way.
 */
function ambiguousBackslash(sql: string): number | null {
  for (const token of scanSync(sql).tokens) {
    if (token.tokenName !== 'SCONST' || !/^[nN]?'/.test(token.text)) continue;
    const text = token.text;
    for (let i = text.indexOf("'") + 1; i < text.length; i++) {
      if (text[i] !== '\\') continue;
      let run = 0;
      while (text[i + run] === '\\') run++;
      if (run % 2 === 1 && text[i + run] === "'") return token.start + i;
      i += run - 1;
    }
  }
  return null;
}

function checkSelect(select: Json, reasons: VerdictReason[]): void {
  if (select.intoClause) {
    const rel = ((select.intoClause as Json).rel as Json | undefined) ?? {};
    reasons.push(reasonAt({ code: 'SELECT_INTO', message: `SELECT INTO is not allowed: it creates the table "${String(rel.relname ?? '?')}".` }, rel.location));
  }
  for (const item of (select.lockingClause as Json[] | undefined) ?? []) {
    const clause = (item.LockingClause as Json | undefined) ?? {};
    const strength = LOCK_STRENGTH[String(clause.strength)] ?? 'FOR UPDATE/SHARE';
    reasons.push({ code: 'LOCKING_CLAUSE', message: `${strength} is not allowed: it locks rows, which blocks other sessions and needs write access.` });
  }
}

function checkFunction(call: Json, reasons: VerdictReason[]): void {
  const parts = ((call.funcname as Json[] | undefined) ?? []).map((p) => String((p.String as Json | undefined)?.sval ?? ''));
  const name = parts[parts.length - 1] ?? '';
  const rule = forbiddenPostgresFunction(name);
  if (rule) reasons.push(reasonAt({ code: rule.code, message: `${parts.join('.')} is not allowed: ${rule.why}.` }, call.location));
}

/** A stable, lower-case id for the statement type: delete, create_table_as, variable_set … */
function statementKindOf(type: string | undefined): string | null {
  if (type === undefined) return null;
  return type.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

function statementName(type: string | undefined): string {
  if (type === undefined) return 'an empty statement';
  return STATEMENT_NAMES[type] ?? type.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

function locationOf(node: Json): unknown {
  const relation = node.relation as Json | undefined;
  return relation?.location;
}

