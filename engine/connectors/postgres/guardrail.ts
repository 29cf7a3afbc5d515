/**
 * Layer 1 for PostgreSQL: the query is parsed by PostgreSQL's own parser
 * (libpg-query, WASM) and the whole tree is walked. Exactly one statement,
 * and only a query: SELECT, WITH … SELECT, VALUES, TABLE, or EXPLAIN of one of
 * those without ANALYZE. Data-modifying CTEs, SELECT INTO and locking clauses
 * are refused wherever they appear.
 *
 * Every function, operator, cast and relation the tree names is then judged
 * against the source's catalog by its policy (allow-list.ts): the verdict is a
 * pure function of the parsed query and the catalog, and never touches a
 * database.
 */
import { dedupeReasons, reasonAt, refusal } from '../shared/verdict';
import { loadModule, parseSync, scanSync } from 'libpg-query';
import type { Verdict, VerdictReason } from '../../contract/query.contract';
import { settingRefusal, type Decision, type PgPolicy } from './allow-list';
import type { QualifiedName } from './catalog';

/** The longest query text accepted, in characters (about 100 KB). */
export const MAX_POSTGRES_QUERY_LENGTH = 100_000;

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

/** A verdict, and whether it named something the catalog does not have (worth re-reading the catalog once). */
export interface PostgresCheck {
  verdict: Verdict;
  unknownNames: boolean;
}

/** Static check of one PostgreSQL query against a source's policy; never touches a database. */
export async function validatePostgresQuery(sql: string, policy: PgPolicy): Promise<Verdict> {
  return (await checkPostgresQuery(sql, policy)).verdict;
}

/** The check with its catalog hint. */
export async function checkPostgresQuery(sql: string, policy: PgPolicy): Promise<PostgresCheck> {
  if (!loaded && !precheck(sql)) await loadPostgresGuardrail();
  return checkPostgresQuerySync(sql, policy);
}

/** The same check without awaiting; call loadPostgresGuardrail() once first, or it throws. */
export function validatePostgresQuerySync(sql: string, policy: PgPolicy): Verdict {
  return checkPostgresQuerySync(sql, policy).verdict;
}

export function checkPostgresQuerySync(sql: string, policy: PgPolicy): PostgresCheck {
  const early = precheck(sql);
  if (early) return { verdict: early, unknownNames: false };
  if (!loaded) throw new Error('The PostgreSQL parser is not loaded yet: await loadPostgresGuardrail() first.');
  return check(sql, policy);
}

function precheck(sql: string): Verdict | null {
  if (sql.trim() === '') return refusal('EMPTY_QUERY', 'The query is empty.');
  if (sql.length > MAX_POSTGRES_QUERY_LENGTH) {
    return refusal('TOO_LONG', `The query is ${sql.length.toLocaleString('en')} characters long; the limit is ${MAX_POSTGRES_QUERY_LENGTH.toLocaleString('en')}.`);
  }
  return null;
}

type Json = Record<string, unknown>;

const refused = (verdict: Verdict): PostgresCheck => ({ verdict, unknownNames: false });

/**
 * The refusals that need no catalog (empty, too long, unparsable, several statements, not a query),
 * or null when the query is shaped like a read and the catalog must decide the rest.
 */
export async function structuralRefusal(sql: string): Promise<Verdict | null> {
  const early = precheck(sql);
  if (early) return early;
  if (!loaded) await loadPostgresGuardrail();
  const parsed = parse(sql);
  if ('verdict' in parsed) return parsed.verdict;
  return parsed.reasons.length > 0 ? { allowed: false, reasons: parsed.reasons, statementKind: parsed.statementKind } : null;
}

type Statement = { stmt?: Json; stmt_location?: number };

/** Parses and applies the statement-level rules; the statement to walk, or the refusal. */
function parse(sql: string): { verdict: Verdict } | { query: unknown; reasons: VerdictReason[]; statementKind: string } {
  let tree: { stmts?: Statement[] };
  try {
    tree = parseSync(sql) as typeof tree;
  } catch (error) {
    const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    const message = details?.message ?? (error as Error).message;
    const reason: VerdictReason = { code: 'PARSE_ERROR', message: `PostgreSQL cannot parse the query: ${message}.` };
    if (typeof details?.cursorPosition === 'number' && details.cursorPosition >= 0) reason.position = details.cursorPosition;
    return { verdict: { allowed: false, reasons: [reason], statementKind: null } };
  }

  if (sql.includes('\\')) {
    const ambiguous = ambiguousBackslash(sql);
    if (ambiguous !== null) {
      return { verdict: refusal('PARSE_ERROR', "A backslash before a quote inside a '…' string is ambiguous: with standard_conforming_strings off, the server would end the string somewhere else and run what follows. Write a quote as '' or use an E'…' string.", null, ambiguous) };
    }
  }

  const statements = tree.stmts ?? [];
  if (statements.length === 0) return { verdict: refusal('EMPTY_QUERY', 'The query has no statement, only comments or semicolons.') };
  if (statements.length > 1) {
    return { verdict: refusal('MULTIPLE_STATEMENTS', `The query has ${statements.length} statements; send exactly one, without a second statement after a semicolon.`, null, statements[1]?.stmt_location) };
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
      return { verdict: { allowed: false, reasons, statementKind } };
    }
  } else if (rootType === 'SelectStmt') {
    statementKind = (root.SelectStmt as Json).valuesLists ? 'values' : 'select';
  } else {
    return { verdict: refusal('NOT_A_QUERY', `${statementName(rootType)} is not allowed: ${ONLY_QUERIES}.`, statementKindOf(rootType), statements[0]!.stmt_location) };
  }

  return { query, reasons, statementKind };
}

function check(sql: string, policy: PgPolicy): PostgresCheck {
  const parsed = parse(sql);
  if ('verdict' in parsed) return refused(parsed.verdict);
  const { query, reasons, statementKind } = parsed;
  const walker = new Walker(policy, reasons);
  walker.walk(query);
  return {
    verdict: { allowed: reasons.length === 0, reasons: dedupeReasons(reasons, { perPosition: true }), statementKind },
    unknownNames: walker.unknownNames,
  };
}

/** CTE names visible at a point of the query; unqualified names there mean the CTE, not a table. */
type Scope = ReadonlySet<string>;
const NO_CTES: Scope = new Set();

/** Operators behind the SQL keywords that A_Expr kinds stand for. */
const KIND_OPERATORS: Record<string, string[]> = {
  AEXPR_BETWEEN: ['>=', '<='],
  AEXPR_NOT_BETWEEN: ['<', '>'],
  AEXPR_BETWEEN_SYM: ['>=', '<='],
  AEXPR_NOT_BETWEEN_SYM: ['<', '>'],
};

const str = (node: unknown): string | null => {
  const value = (node as { String?: { sval?: unknown } } | undefined)?.String?.sval;
  return typeof value === 'string' ? value : null;
};

/** `[schema, name]` or `[name]` from a list of String nodes; null for anything longer or stranger. */
function qualifiedName(list: unknown): QualifiedName | null {
  const parts = Array.isArray(list) ? list.map(str) : [];
  if (parts.length === 0 || parts.some((p) => p === null)) return null;
  if (parts.length === 1) return { schema: null, name: parts[0]! };
  if (parts.length === 2) return { schema: parts[0]!, name: parts[1]! };
  return null;
}

/**
 * Visits every node of the tree (target lists, FROM, WHERE, ORDER BY, CTEs, subqueries, lateral
 * joins, set operations, function arguments …) without recursion, so a deeply nested query cannot
 * exhaust the stack, carrying the CTE names in scope.
 */
class Walker {
  unknownNames = false;
  readonly #policy: PgPolicy;
  readonly #reasons: VerdictReason[];
  readonly #stack: Array<[unknown, Scope]> = [];

  constructor(policy: PgPolicy, reasons: VerdictReason[]) {
    this.#policy = policy;
    this.#reasons = reasons;
  }

  walk(root: unknown): void {
    const stack = this.#stack;
    stack.push([root, NO_CTES]);
    while (stack.length > 0) {
      const [value, scope] = stack.pop()!;
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], scope]);
        continue;
      }
      if (value === null || typeof value !== 'object') continue;
      for (const [key, child] of Object.entries(value as Json)) {
        if (child === null || typeof child !== 'object') continue;
        const node = child as Json;
        if (key in WRITE_NODES) {
          this.#reasons.push(reasonAt({ code: 'WRITE_CTE', message: `A data-modifying ${WRITE_NODES[key]} inside the query is not allowed: it would change data even though the outer statement only reads.` }, (node.relation as Json | undefined)?.location));
          continue;
        }
        switch (key) {
          case 'SelectStmt':
            this.#select(node, scope);
            continue;
          case 'FuncCall':
            this.#call(node);
            break;
          case 'A_Expr':
            this.#expression(node);
            break;
          case 'SubLink':
            if (node.operName) this.#operator(node.operName, false, node.location);
            break;
          case 'SortBy':
            if (node.useOp) this.#operator(node.useOp, false, node.location);
            break;
          case 'typeName':
            this.#type(node);
            break;
          case 'RangeVar':
            this.#relation(node, scope);
            continue;
          case 'RangeTableSample':
            this.#sample(node);
            break;
          case 'ColumnRef':
            this.#columnRef(node);
            continue;
          case 'A_Indirection':
            for (const item of (node.indirection as unknown[] | undefined) ?? []) {
              const name = str(item);
              if (name !== null) this.#decide(this.#policy.attributeCall(name), undefined);
            }
            break;
          default:
            break;
        }
        stack.push([child, scope]);
      }
    }
  }

  #decide(decision: Decision, location: unknown): void {
    if (decision.unknown) this.unknownNames = true;
    if (decision.refusal) this.#reasons.push(reasonAt({ ...decision.refusal }, location));
  }

  /** Structural rules, then the body with its CTEs in scope: a CTE sees earlier ones (all of them if RECURSIVE). */
  #select(select: Json, scope: Scope): void {
    if (select.intoClause) {
      const rel = ((select.intoClause as Json).rel as Json | undefined) ?? {};
      this.#reasons.push(reasonAt({ code: 'SELECT_INTO', message: `SELECT INTO is not allowed: it creates the table "${String(rel.relname ?? '?')}".` }, rel.location));
    }
    for (const item of (select.lockingClause as Json[] | undefined) ?? []) {
      const clause = (item.LockingClause as Json | undefined) ?? {};
      const strength = LOCK_STRENGTH[String(clause.strength)] ?? 'FOR UPDATE/SHARE';
      this.#reasons.push({ code: 'LOCKING_CLAUSE', message: `${strength} is not allowed: it locks rows, which blocks other sessions and needs write access.` });
    }
    const withClause = select.withClause as Json | undefined;
    let bodyScope = scope;
    if (withClause) {
      const ctes = ((withClause.ctes as Json[] | undefined) ?? []).map((c) => (c.CommonTableExpr as Json | undefined) ?? {});
      const names = ctes.map((c) => String(c.ctename ?? ''));
      bodyScope = extend(scope, names);
      ctes.forEach((cte, i) => {
        this.#stack.push([cte.ctequery, withClause.recursive ? bodyScope : extend(scope, names.slice(0, i))]);
      });
    }
    for (const [key, child] of Object.entries(select)) {
      if (key === 'withClause' || key === 'intoClause' || key === 'lockingClause') continue;
      if (child !== null && typeof child === 'object') this.#stack.push([child, bodyScope]);
    }
  }

  #call(call: Json): void {
    const ref = qualifiedName(call.funcname);
    if (!ref) {
      this.#reasons.push(reasonAt({ code: 'FORBIDDEN_FUNCTION', message: 'A function name with more than a schema and a name cannot be checked.' }, call.location));
      return;
    }
    const args = (call.args as unknown[] | undefined) ?? [];
    // An ordered-set aggregate's WITHIN GROUP (ORDER BY …) columns are arguments too.
    const ordered = call.agg_within_group ? ((call.agg_order as unknown[] | undefined) ?? []).length : 0;
    this.#decide(this.#policy.call(ref, args.length + ordered), call.location);
    if (ref.name === 'current_setting' && (ref.schema === null || ref.schema === 'pg_catalog')) {
      const refusal = settingRefusal(literalText(args[0]));
      if (refusal) this.#reasons.push(reasonAt({ ...refusal }, call.location));
    }
  }

  #expression(expr: Json): void {
    const prefix = expr.lexpr === undefined;
    const named = KIND_OPERATORS[String(expr.kind)];
    if (named) {
      for (const name of named) this.#decide(this.#policy.operator({ schema: null, name }, false), expr.location);
      return;
    }
    this.#operator(expr.name, prefix, expr.location);
  }

  #operator(nameList: unknown, prefix: boolean, location: unknown): void {
    const ref = qualifiedName(nameList);
    if (!ref) {
      this.#reasons.push(reasonAt({ code: 'FORBIDDEN_OPERATOR', message: 'An operator name with more than a schema and a name cannot be checked.' }, location));
      return;
    }
    this.#decide(this.#policy.operator(ref, prefix), location);
  }

  #type(typeName: Json): void {
    if (typeName.pct_type) {
      this.#reasons.push(reasonAt({ code: 'FORBIDDEN_FUNCTION', message: 'A %TYPE reference cannot be checked; name the type itself.' }, typeName.location));
      return;
    }
    const ref = qualifiedName(typeName.names);
    if (!ref) {
      this.#reasons.push(reasonAt({ code: 'FORBIDDEN_FUNCTION', message: 'A type name with more than a schema and a name cannot be checked.' }, typeName.location));
      return;
    }
    this.#decide(this.#policy.type(ref), typeName.location);
  }

  #relation(rangeVar: Json, scope: Scope): void {
    const name = String(rangeVar.relname ?? '');
    const schema = typeof rangeVar.schemaname === 'string' ? rangeVar.schemaname : null;
    if (schema === null && scope.has(name)) return;
    const catalog = typeof rangeVar.catalogname === 'string' ? rangeVar.catalogname : null;
    this.#decide(this.#policy.relation({ catalog, schema, name }), rangeVar.location);
  }

  #sample(sample: Json): void {
    const method = qualifiedName(sample.method);
    const ok = method && (method.schema === null || method.schema === 'pg_catalog');
    this.#decide(ok ? this.#policy.sampleMethod(method.name) : this.#policy.sampleMethod('?'), sample.location);
  }

  /** `t.col` is a column, or (attribute notation) a call of a one-argument function `col(t)`. */
  #columnRef(ref: Json): void {
    const fields = (ref.fields as unknown[] | undefined) ?? [];
    if (fields.length < 2) return;
    const last = str(fields[fields.length - 1]);
    if (last !== null) this.#decide(this.#policy.attributeCall(last), ref.location);
  }
}

function extend(scope: Scope, names: string[]): Scope {
  if (names.length === 0) return scope;
  const next = new Set(scope);
  for (const name of names) next.add(name);
  return next;
}

/** The text of a string literal, also behind a cast ('x'::text); null for anything computed. */
function literalText(node: unknown): string | null {
  let value = node as Json | undefined;
  const cast = value?.TypeCast as Json | undefined;
  if (cast) value = cast.arg as Json | undefined;
  const constant = value?.A_Const as { sval?: { sval?: unknown } } | undefined;
  return typeof constant?.sval?.sval === 'string' ? constant.sval.sval : null;
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

/** A stable, lower-case id for the statement type: delete, create_table_as, variable_set … */
function statementKindOf(type: string | undefined): string | null {
  if (type === undefined) return null;
  return type.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

function statementName(type: string | undefined): string {
  if (type === undefined) return 'an empty statement';
  return STATEMENT_NAMES[type] ?? type.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

