/**
 * What a query may call and read on PostgreSQL, decided from the server's own
 * catalog (catalog.ts). Pure: no I/O, and the same catalog and settings always
 * give the same decisions.
 *
 * Functions (and the functions behind operators and casts):
 * - built-in (pg_catalog) IMMUTABLE and STABLE functions are allowed, except the
 *   reviewed DENIED set below: stable or immutable functions that run SQL given
 *   as text, read whole tables by name, touch files, other sessions, the server's
 *   configuration, or assign transaction ids;
 * - VOLATILE functions are refused unless on the short, reviewed VOLATILE_ALLOWED
 *   list (random numbers, the clock, relation sizes);
 * - procedures are refused;
 * - functions outside pg_catalog are refused unless their schema is in the
 *   source's trustedFunctionSchemas, or they belong to a REVIEWED_EXTENSION; either
 *   way they are then judged like built-ins (volatility, DENIED). Volatility is
 *   what a function's author declared, which PostgreSQL trusts for C functions in
 *   its own catalog but nobody can trust for a database owner's PL/pgSQL.
 *
 * Relations: the schemas the source exposes (every schema but pg_catalog,
 * information_schema, pg_toast and temporary ones), except relations an extension
 * owns (pg_stat_statements shows other sessions' SQL); in pg_catalog and
 * information_schema only the REVIEWED_CATALOG_RELATIONS metadata views.
 */
import type { VerdictReasonCode } from '../../contract/query.contract';
import {
  functionCandidates,
  operatorCandidates,
  resolveRelation,
  resolveType,
  typeFunctions,
  type PgCatalog,
  type PgFunction,
  type PgRelation,
  type QualifiedName,
} from './catalog';

/** Why something may not run; null means it may. */
export interface Refusal {
  code: VerdictReasonCode;
  message: string;
}

/** A decision about one name in the query; `unknown` when the catalog has no such object (re-read it, maybe it is new). */
export interface Decision {
  refusal: Refusal | null;
  unknown: boolean;
}

const ALLOWED: Decision = { refusal: null, unknown: false };

type Rule = { code: VerdictReasonCode; why: string };
const fn = (why: string): Rule => ({ code: 'FORBIDDEN_FUNCTION', why });
const file = (why: string): Rule => ({ code: 'FILE_ACCESS', why });

const SQL_TEXT = fn('it runs SQL given as text, which cannot be checked in advance');
const WHOLE_TABLES = fn('it reads tables named in its arguments, past the checks on what the query reads');
const SERVER_FILES = file('it reads, lists or writes files on the database server');
const SESSIONS = fn('it shows or changes other sessions and what they run');
const SERVER = fn('it reveals or changes the server\u2019s configuration, files or replication');
const SESSION_STATE = fn('it changes this session\u2019s state, which could leak into later queries');
const LOCKS = fn('it takes advisory locks that can block other sessions');
const BLOCKS = fn('it blocks the connection');
const LARGE_OBJECTS = fn('it creates, changes or reads large objects, outside the tables this source exposes');
const REMOTE = fn('it connects to another database or server');
const XID = fn('it assigns a transaction id, which is a write');
const INTERNAL = fn('it is an internal function of the server');

/**
 * Stable or immutable functions (and volatile ones, belt and braces) that are refused whatever their
 * volatility, in any schema. Reviewed against pg_proc of PostgreSQL 13-17; exact names.
 */
const DENIED = new Map<string, Rule>([
  ['ts_rewrite', SQL_TEXT],
  ['ts_stat', SQL_TEXT],
  ['query_to_xml', SQL_TEXT],
  ['query_to_xmlschema', SQL_TEXT],
  ['query_to_xml_and_xmlschema', SQL_TEXT],
  ['cursor_to_xml', SQL_TEXT],
  ['cursor_to_xmlschema', SQL_TEXT],
  ['xpath_table', SQL_TEXT],
  ['connectby', SQL_TEXT],
  ['table_to_xml', WHOLE_TABLES],
  ['table_to_xmlschema', WHOLE_TABLES],
  ['table_to_xml_and_xmlschema', WHOLE_TABLES],
  ['schema_to_xml', WHOLE_TABLES],
  ['schema_to_xmlschema', WHOLE_TABLES],
  ['schema_to_xml_and_xmlschema', WHOLE_TABLES],
  ['database_to_xml', WHOLE_TABLES],
  ['database_to_xmlschema', WHOLE_TABLES],
  ['database_to_xml_and_xmlschema', WHOLE_TABLES],
  ['pg_stat_file', SERVER_FILES],
  ['pg_logdir_ls', SERVER_FILES],
  ['pg_current_logfile', SERVER_FILES],
  ['pg_tablespace_location', SERVER_FILES],
  ['pg_relation_filepath', SERVER_FILES],
  ['pg_config', SERVER],
  ['pg_show_all_settings', SERVER],
  ['pg_show_all_file_settings', SERVER],
  ['pg_hba_file_rules', SERVER],
  ['pg_ident_file_mappings', SERVER],
  ['pg_available_extensions', SERVER],
  ['pg_available_extension_versions', SERVER],
  ['pg_extension_update_paths', SERVER],
  ['pg_get_replication_slots', SERVER],
  ['pg_stat_get_replication_slot', SERVER],
  ['pg_stat_get_wal_receiver', SERVER],
  ['pg_stat_get_wal_senders', SERVER],
  ['pg_stat_get_subscription', SERVER],
  ['pg_get_shmem_allocations', SERVER],
  ['pg_get_backend_memory_contexts', SERVER],
  ['pg_stat_get_activity', SESSIONS],
  ['pg_stat_get_progress_info', SESSIONS],
  ['pg_lock_status', SESSIONS],
  ['pg_blocking_pids', SESSIONS],
  ['pg_safe_snapshot_blocking_pids', SESSIONS],
  ['pg_prepared_xact', SESSIONS],
  ['pg_get_multixact_members', SESSIONS],
  ['pg_cursor', SESSION_STATE],
  ['pg_prepared_statement', SESSION_STATE],
  ['set_config', SESSION_STATE],
  ['setseed', SESSION_STATE],
  ['pg_current_xact_id', XID],
  ['txid_current', XID],
  ['lo_import', file('it reads a file on the database server into the database')],
  ['lo_export', file('it writes a file on the database server')],
  ['loread', LARGE_OBJECTS],
  ['lowrite', LARGE_OBJECTS],
]);

/** Families, by name prefix (also in any schema). */
const DENIED_PREFIXES: Array<[string, Rule]> = [
  ['crosstab', SQL_TEXT],
  ['dblink', REMOTE],
  ['postgres_fdw', REMOTE],
  ['pg_read_', SERVER_FILES],
  ['pg_ls_', SERVER_FILES],
  ['pg_file_', SERVER_FILES],
  ['lo_', LARGE_OBJECTS],
  ['pg_stat_get_backend_', SESSIONS],
  ['pg_stat_statements', SESSIONS],
  ['pg_terminate_', SESSIONS],
  ['pg_cancel_', SESSIONS],
  ['pg_signal_', SESSIONS],
  ['pg_advisory_', LOCKS],
  ['pg_try_advisory_', LOCKS],
  ['pg_sleep', BLOCKS],
  ['pg_event_trigger_', INTERNAL],
  ['fmgr_', INTERNAL],
  ['binary_upgrade_', INTERNAL],
  ['pg_replication_', SERVER],
  ['pg_create_', SERVER],
  ['pg_drop_', SERVER],
  ['pg_copy_', SERVER],
  ['pg_logical_', SERVER],
  ['pg_stat_reset', SERVER],
];

/**
 * The only VOLATILE functions allowed, and only from pg_catalog: they change nothing and reveal
 * nothing beyond the source (random values, the clock, relation sizes and partitions).
 */
const VOLATILE_ALLOWED = new Set([
  'random',
  'random_normal',
  'gen_random_uuid',
  'clock_timestamp',
  'timeofday',
  'pg_relation_size',
  'pg_table_size',
  'pg_indexes_size',
  'pg_total_relation_size',
  'pg_partition_tree',
  'pg_partition_ancestors',
  'pg_is_in_recovery',
  'pg_jit_available',
]);

/**
 * Extensions whose functions were reviewed: pure computations on their own types (text similarity,
 * key-value and tree types, cryptographic hashes …). Their functions are judged like built-ins,
 * wherever the extension was installed; the DENIED names (crosstab, connectby …) still apply.
 */
const REVIEWED_EXTENSIONS = new Set([
  'btree_gin',
  'btree_gist',
  'citext',
  'cube',
  'earthdistance',
  'fuzzystrmatch',
  'hstore',
  'intarray',
  'isn',
  'ltree',
  'pg_trgm',
  'pgcrypto',
  'seg',
  'tablefunc',
  'unaccent',
  'uuid-ossp',
]);

/** current_setting(name) is allowed for these settings only: none of them reveals a path, a secret or another session. */
const READABLE_SETTINGS = new Set([
  'application_name',
  'block_size',
  'bytea_output',
  'client_encoding',
  'datestyle',
  'default_text_search_config',
  'default_transaction_isolation',
  'default_transaction_read_only',
  'extra_float_digits',
  'integer_datetimes',
  'intervalstyle',
  'is_superuser',
  'lc_collate',
  'lc_ctype',
  'lc_messages',
  'lc_monetary',
  'lc_numeric',
  'lc_time',
  'max_identifier_length',
  'search_path',
  'server_encoding',
  'server_version',
  'server_version_num',
  'standard_conforming_strings',
  'statement_timeout',
  'timezone',
  'transaction_isolation',
  'transaction_read_only',
  'work_mem',
]);

/**
 * Catalog relations a query may read: descriptions of the source's own objects. Not the ones that
 * hold password hashes (pg_authid, pg_shadow, pg_user_mapping…), server files (pg_hba_file_rules,
 * pg_file_settings), settings, other sessions and their SQL (pg_stat_activity, pg_locks…), large
 * objects, or statistics with sampled values of any table (pg_stats, pg_statistic).
 */
export const REVIEWED_CATALOG_RELATIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  [
    'pg_catalog',
    new Set([
      'pg_am',
      'pg_attrdef',
      'pg_attribute',
      'pg_cast',
      'pg_class',
      'pg_collation',
      'pg_constraint',
      'pg_depend',
      'pg_description',
      'pg_enum',
      'pg_extension',
      'pg_index',
      'pg_indexes',
      'pg_inherits',
      'pg_language',
      'pg_matviews',
      'pg_namespace',
      'pg_opclass',
      'pg_operator',
      'pg_partitioned_table',
      'pg_proc',
      'pg_range',
      'pg_sequence',
      'pg_sequences',
      'pg_stat_user_indexes',
      'pg_stat_user_tables',
      'pg_statio_user_indexes',
      'pg_statio_user_tables',
      'pg_tables',
      'pg_timezone_abbrevs',
      'pg_timezone_names',
      'pg_ts_config',
      'pg_type',
      'pg_views',
    ]),
  ],
  [
    'information_schema',
    new Set([
      'attributes',
      'check_constraints',
      'column_domain_usage',
      'columns',
      'constraint_column_usage',
      'constraint_table_usage',
      'domain_constraints',
      'domains',
      'element_types',
      'key_column_usage',
      'parameters',
      'referential_constraints',
      'routines',
      'schemata',
      'sequences',
      'table_constraints',
      'tables',
      'user_defined_types',
      'view_column_usage',
      'view_routine_usage',
      'view_table_usage',
      'views',
    ]),
  ],
]);

/** Relation kinds a query may read: tables, partitioned tables, views, materialized views, foreign tables. */
const READABLE_KINDS = new Set(['r', 'p', 'v', 'm', 'f']);

/** TABLESAMPLE methods built into PostgreSQL. */
const SAMPLE_METHODS = new Set(['system', 'bernoulli']);

/** Schemas whose relations are the server's, not the source's. */
export function isSystemSchema(schema: string): boolean {
  return schema === 'pg_catalog' || schema === 'information_schema' || schema === 'pg_toast' || /^pg_(toast_)?temp_/.test(schema) || schema === 'pg_temp';
}

const display = (ref: QualifiedName) => (ref.schema ? `${ref.schema}.${ref.name}` : ref.name);

/** Why one function may not run, or null. Independent of how it was called. */
export function functionRule(f: PgFunction, trustedSchemas: ReadonlySet<string>): Rule | null {
  const denied = DENIED.get(f.name) ?? DENIED_PREFIXES.find(([prefix]) => f.name.startsWith(prefix))?.[1];
  if (denied) return denied;
  if (f.kind === 'p') return fn('it is a procedure, which may change data');
  const builtin = f.schema === 'pg_catalog';
  if (!builtin && !(f.extension !== null && REVIEWED_EXTENSIONS.has(f.extension)) && !trustedSchemas.has(f.schema)) {
    return fn(
      `it is defined in schema ${f.schema}${f.extension ? ` by extension ${f.extension}` : ''}, whose functions this source does not trust (they can do anything their author wrote; add the schema to the source's trusted function schemas if they are safe)`,
    );
  }
  if (f.volatility === 'v' && !(builtin && VOLATILE_ALLOWED.has(f.name))) {
    return fn('it is VOLATILE (it may change data or state), and not one of the few reviewed harmless volatile functions');
  }
  return null;
}

/**
 * The decisions of one source: its catalog plus its settings, each answer memoized (a catalog has
 * thousands of functions, a query a handful, and the same few recur across queries).
 */
export class PgPolicy {
  readonly catalog: PgCatalog;
  readonly trustedSchemas: ReadonlySet<string>;
  readonly #memo = new Map<string, Decision>();
  readonly #functions = new Map<number, Rule | null>();

  constructor(catalog: PgCatalog, trustedSchemas: readonly string[]) {
    this.catalog = catalog;
    this.trustedSchemas = new Set(trustedSchemas);
  }

  /** A call `name(…)` with `nargs` arguments: refused if any overload the server might pick is refused. */
  call(ref: QualifiedName, nargs: number): Decision {
    return this.#memoize(`f|${ref.schema ?? ''}|${ref.name}|${nargs}`, () => {
      const candidates = functionCandidates(this.catalog, ref, nargs);
      if (candidates.length === 0) {
        const anyArity = functionCandidates(this.catalog, ref, null).length > 0;
        return unknown('FORBIDDEN_FUNCTION', anyArity
          ? `${display(ref)} with ${nargs} argument${nargs === 1 ? '' : 's'} is not a function this database has, so it cannot be checked.`
          : `${display(ref)} is not a function this database has, so it cannot be checked.`);
      }
      return this.#firstRefused(display(ref), candidates);
    });
  }

  /** `t.name` or `(t).name`: attribute notation calls a one-argument function when there is no such column. */
  attributeCall(name: string): Decision {
    return this.#memoize(`a|${name}`, () => {
      const candidates = functionCandidates(this.catalog, { schema: null, name }, 1).filter((f) => f.rowArg);
      const decision = this.#firstRefused(name, candidates);
      if (!decision.refusal) return decision;
      return { refusal: { ...decision.refusal, message: `${decision.refusal.message.slice(0, -1)} (written as .${name}, which calls the function when no column has that name).` }, unknown: false };
    });
  }

  /** An operator: refused if any operator of that name and arity in scope runs a refused function. */
  operator(ref: QualifiedName, prefix: boolean): Decision {
    return this.#memoize(`o|${ref.schema ?? ''}|${ref.name}|${prefix}`, () => {
      const candidates = operatorCandidates(this.catalog, ref, prefix);
      if (candidates.length === 0) {
        return unknown('FORBIDDEN_OPERATOR', `The operator ${display(ref)} is not one this database has, so it cannot be checked.`);
      }
      for (const op of candidates) {
        const f = this.catalog.functionsByOid.get(op.fn);
        const rule = f ? this.#rule(f) : fn('its function is not in the catalog');
        if (rule) return refused(rule.code, `The operator ${display(ref)} is not allowed: it calls ${f ? `${f.schema}.${f.name}` : 'a function'}, and ${rule.why}.`);
      }
      return ALLOWED;
    });
  }

  /** A cast or typed literal: the type's input function, and any function a cast into it or its domain checks run. */
  type(ref: QualifiedName): Decision {
    return this.#memoize(`t|${ref.schema ?? ''}|${ref.name}`, () => {
      const type = resolveType(this.catalog, ref);
      if (!type) {
        return unknown('FORBIDDEN_FUNCTION', `${display(ref)} is not a type this query can use (unknown, or the row type of a table), so a cast to it cannot be checked.`);
      }
      if (type.kind === 'c' && type.schema !== 'pg_catalog' && !this.trustedSchemas.has(type.schema)) {
        return refused('FORBIDDEN_FUNCTION', `A cast to the composite type ${type.schema}.${type.name} is not allowed: converting its fields can run functions this source does not trust.`);
      }
      for (const f of typeFunctions(this.catalog, type)) {
        const rule = this.#rule(f);
        if (rule) return refused(rule.code, `A cast to ${type.schema}.${type.name} is not allowed: it runs ${f.schema}.${f.name}, and ${rule.why}.`);
      }
      return ALLOWED;
    });
  }

  /** A relation named in FROM (not a CTE: the guardrail resolves those first). */
  relation(ref: QualifiedName & { catalog?: string | null }): Decision {
    return this.#memoize(`r|${ref.catalog ?? ''}|${ref.schema ?? ''}|${ref.name}`, () => {
      if (ref.catalog && ref.catalog !== this.catalog.snapshot.database) {
        return refused('CROSS_DATABASE', `${ref.catalog}.${display(ref)} names another database; only ${this.catalog.snapshot.database} can be read.`);
      }
      const rel = resolveRelation(this.catalog, ref);
      if (!rel) {
        const where = ref.schema ? `in schema ${ref.schema}` : `in the schemas searched (${this.catalog.lookupPath.join(', ')})`;
        return unknown('FORBIDDEN_RELATION', `There is no table or view ${display(ref)} ${where} that this source can read.`);
      }
      const decision = relationDecision(rel);
      if (decision.refusal) return decision;
      // Reading a view runs the functions in its definition.
      for (const oid of rel.functions ?? []) {
        const f = this.catalog.functionsByOid.get(oid);
        const rule = f ? this.#rule(f) : null;
        if (rule) return refused(rule.code, `${rel.schema}.${rel.name} is not allowed: reading this view calls ${f!.schema}.${f!.name}, and ${rule.why}.`);
      }
      return decision;
    });
  }

  /** TABLESAMPLE method. */
  sampleMethod(name: string): Decision {
    return SAMPLE_METHODS.has(name) ? ALLOWED : refused('FORBIDDEN_FUNCTION', `TABLESAMPLE ${name} is not allowed: only the built-in SYSTEM and BERNOULLI methods are.`);
  }

  #firstRefused(label: string, candidates: readonly PgFunction[]): Decision {
    for (const f of candidates) {
      const rule = this.#rule(f);
      if (!rule) continue;
      // An unqualified name can reach a function outside pg_catalog: name the one refused, and say how to
      // call the built-in instead (the server picks by argument types, which only it knows).
      const named = label.includes('.') || f.schema === 'pg_catalog' ? label : `${f.schema}.${f.name}`;
      const builtin = !label.includes('.') && f.schema !== 'pg_catalog' && candidates.some((c) => c.schema === 'pg_catalog' && !this.#rule(c));
      const hint = builtin ? ` Write pg_catalog.${f.name}(…) to call the built-in ${f.name}.` : '';
      return refused(rule.code, `${named} is not allowed: ${rule.why}.${hint}`);
    }
    return ALLOWED;
  }

  #rule(f: PgFunction): Rule | null {
    let rule = this.#functions.get(f.oid);
    if (rule === undefined) {
      rule = functionRule(f, this.trustedSchemas);
      this.#functions.set(f.oid, rule);
    }
    return rule;
  }

  #memoize(key: string, decide: () => Decision): Decision {
    let decision = this.#memo.get(key);
    if (!decision) {
      decision = decide();
      this.#memo.set(key, decision);
    }
    return decision;
  }
}

function relationDecision(rel: PgRelation): Decision {
  const name = `${rel.schema}.${rel.name}`;
  const reviewed = REVIEWED_CATALOG_RELATIONS.get(rel.schema);
  if (reviewed) {
    return reviewed.has(rel.name)
      ? ALLOWED
      : refused('FORBIDDEN_RELATION', `${name} is not allowed: it is part of the server's own catalog, not one of the metadata views a query may read (it may hold passwords, settings, files or other sessions' activity).`);
  }
  if (isSystemSchema(rel.schema)) return refused('FORBIDDEN_RELATION', `${name} is not allowed: it belongs to the server, not to this source.`);
  if (rel.extension !== null) {
    return refused('FORBIDDEN_RELATION', `${name} is not allowed: it belongs to the extension ${rel.extension}, not to this source's data.`);
  }
  if (!READABLE_KINDS.has(rel.kind)) return refused('FORBIDDEN_RELATION', `${name} is not allowed: it is a sequence, not a table or view.`);
  return ALLOWED;
}

/** current_setting('name'): only reviewed settings, named by a literal. */
export function settingRefusal(name: string | null): Refusal | null {
  if (name === null) return { code: 'FORBIDDEN_FUNCTION', message: 'current_setting is allowed only with a setting named as a literal string, such as current_setting(\'TimeZone\').' };
  if (READABLE_SETTINGS.has(name.toLowerCase())) return null;
  return { code: 'FORBIDDEN_FUNCTION', message: `current_setting('${name}') is not allowed: only settings that reveal no paths, secrets or other sessions can be read (for example TimeZone, search_path, server_version).` };
}

function refused(code: VerdictReasonCode, message: string): Decision {
  return { refusal: { code, message }, unknown: false };
}

function unknown(code: VerdictReasonCode, message: string): Decision {
  return { refusal: { code, message }, unknown: true };
}

const policies = new WeakMap<PgCatalog, Map<string, PgPolicy>>();

/** The policy for a catalog and a source's trusted schemas, built once per pair. */
export function pgPolicy(catalog: PgCatalog, trustedSchemas: readonly string[]): PgPolicy {
  let bySettings = policies.get(catalog);
  if (!bySettings) policies.set(catalog, (bySettings = new Map()));
  const key = [...trustedSchemas].sort().join('\u0000');
  let policy = bySettings.get(key);
  if (!policy) bySettings.set(key, (policy = new PgPolicy(catalog, trustedSchemas)));
  return policy;
}
