/**
 * The functions and system variables a MySQL / MariaDB query may use: a
 * reviewed allow-list of built-ins that only compute a value from their
 * arguments (string, numeric, date, JSON, aggregate, window, control flow,
 * casts), never touch files, locks, other sessions, replication or session
 * state, and never run SQL held in text. Everything else is refused,
 * whatever it is called: user-defined (loadable) functions, stored
 * functions, and built-ins not reviewed here.
 *
 * Left out on purpose (not exhaustive; anything absent is refused):
 * SLEEP, BENCHMARK (block or burn the server); GET_LOCK, RELEASE_LOCK,
 * RELEASE_ALL_LOCKS, IS_FREE_LOCK, IS_USED_LOCK (named locks outlive the
 * transaction); LOAD_FILE (server files); MASTER_POS_WAIT, SOURCE_POS_WAIT,
 * MASTER_GTID_WAIT, WAIT_FOR_EXECUTED_GTID_SET (wait on replication);
 * NEXTVAL, SETVAL, LASTVAL (sequences); LAST_INSERT_ID, ROW_COUNT,
 * FOUND_ROWS (what an earlier statement on the pooled connection did);
 * CONNECTION_ID, UUID_SHORT (server counters and ids); NAME_CONST, VALUES,
 * DEFAULT, ROW (internal or statement-specific); STATEMENT_DIGEST* (parse SQL
 * in text); ENCRYPT, DES_*, AES_*, COMPRESS, UNCOMPRESS (a decompression bomb),
 * PASSWORD, KDF, RANDOM_BYTES; COLUMN_* dynamic columns; GTID_*; sys_exec and
 * the other lib_mysqludf_sys functions (run programs).
 *
 * A name that is a built-in on only one of the two servers is allowed only
 * when the server is known to be that one: on the other, an unqualified call
 * of that name would run a loadable or stored function of that name instead.
 * The lists hold what MySQL 8.0.21 and MariaDB 10.6 already have (older
 * servers are past their end of life; on them a name added later would
 * resolve the same way); built-ins added since are left out until reviewed
 * with a version check.
 */
import type { VerdictReasonCode } from '../../contract/query.contract';
import { foldUpper } from './lexer';

export type MysqlFlavor = 'mariadb' | 'mysql';
type Availability = 'both' | MysqlFlavor;

const names = (list: string) => list.trim().split(/\s+/);

/** Built-ins of both servers (MySQL 5.7/8.x, MariaDB 10.3+). */
const BOTH = names(`
  ASCII BIN BIT_LENGTH CHAR CHAR_LENGTH CHARACTER_LENGTH CONCAT CONCAT_WS ELT EXPORT_SET FIELD FIND_IN_SET FORMAT
  FROM_BASE64 HEX INSERT INSTR LCASE LEFT LENGTH LOCATE LOWER LPAD LTRIM MAKE_SET MID OCT OCTET_LENGTH ORD POSITION
  QUOTE REPEAT REPLACE REVERSE RIGHT RPAD RTRIM SOUNDEX SPACE STRCMP SUBSTR SUBSTRING SUBSTRING_INDEX TO_BASE64 TRIM
  UCASE UNHEX UPPER WEIGHT_STRING REGEXP_INSTR REGEXP_REPLACE REGEXP_SUBSTR CHARSET COLLATION COERCIBILITY
  MATCH

  ABS ACOS ASIN ATAN ATAN2 CEIL CEILING CONV COS COT CRC32 DEGREES EXP FLOOR GREATEST LEAST LN LOG LOG10 LOG2 MOD PI
  POW POWER RADIANS RAND ROUND SIGN SIN SQRT TAN TRUNCATE BIT_COUNT INTERVAL

  ADDDATE ADDTIME CONVERT_TZ CURDATE CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURTIME DATE DATE_ADD DATE_FORMAT
  DATE_SUB DATEDIFF DAY DAYNAME DAYOFMONTH DAYOFWEEK DAYOFYEAR EXTRACT FROM_DAYS FROM_UNIXTIME GET_FORMAT HOUR LAST_DAY
  LOCALTIME LOCALTIMESTAMP MAKEDATE MAKETIME MICROSECOND MINUTE MONTH MONTHNAME NOW PERIOD_ADD PERIOD_DIFF QUARTER
  SEC_TO_TIME SECOND STR_TO_DATE SUBDATE SUBTIME SYSDATE TIME TIME_FORMAT TIME_TO_SEC TIMEDIFF TIMESTAMP TIMESTAMPADD
  TIMESTAMPDIFF TO_DAYS TO_SECONDS UNIX_TIMESTAMP UTC_DATE UTC_TIME UTC_TIMESTAMP WEEK WEEKDAY WEEKOFYEAR YEAR YEARWEEK

  JSON_ARRAY JSON_ARRAY_APPEND JSON_ARRAY_INSERT JSON_CONTAINS JSON_CONTAINS_PATH JSON_DEPTH JSON_EXTRACT JSON_INSERT
  JSON_KEYS JSON_LENGTH JSON_MERGE JSON_MERGE_PATCH JSON_MERGE_PRESERVE JSON_OBJECT JSON_QUOTE JSON_REMOVE JSON_REPLACE
  JSON_SEARCH JSON_SET JSON_TYPE JSON_UNQUOTE JSON_VALID JSON_VALUE JSON_TABLE JSON_ARRAYAGG JSON_OBJECTAGG

  AVG BIT_AND BIT_OR BIT_XOR COUNT GROUP_CONCAT MAX MIN STD STDDEV STDDEV_POP STDDEV_SAMP SUM VAR_POP VAR_SAMP VARIANCE
  CUME_DIST DENSE_RANK FIRST_VALUE LAG LAST_VALUE LEAD NTH_VALUE NTILE PERCENT_RANK RANK ROW_NUMBER

  IF IFNULL NULLIF COALESCE ISNULL CAST CONVERT

  MD5 SHA SHA1 SHA2 UUID INET_ATON INET_NTOA INET6_ATON INET6_NTOA IS_IPV4 IS_IPV4_COMPAT IS_IPV4_MAPPED IS_IPV6

  DATABASE SCHEMA VERSION USER CURRENT_USER SESSION_USER SYSTEM_USER

  POINT LINESTRING POLYGON ST_ASTEXT ST_ASWKT ST_ASBINARY ST_ASWKB ST_ASGEOJSON ST_GEOMFROMTEXT ST_GEOMFROMWKB
  ST_GEOMFROMGEOJSON ST_POINTFROMTEXT ST_POLYFROMTEXT ST_LINEFROMTEXT ST_X ST_Y ST_SRID ST_AREA ST_LENGTH ST_CENTROID
  ST_ENVELOPE ST_DISTANCE ST_CONTAINS ST_WITHIN ST_INTERSECTS ST_DISJOINT ST_TOUCHES ST_OVERLAPS ST_CROSSES ST_EQUALS
  ST_ISEMPTY ST_GEOMETRYTYPE ST_NUMPOINTS ST_STARTPOINT ST_ENDPOINT ST_POINTN ST_DIMENSION ST_ISCLOSED
  ST_INTERSECTION ST_UNION ST_DIFFERENCE ST_SYMDIFFERENCE ST_BUFFER ST_CONVEXHULL ST_EXTERIORRING ST_NUMGEOMETRIES
  ST_GEOMETRYN ST_NUMINTERIORRINGS ST_INTERIORRINGN
`);

/** MySQL only (8.0.21 and later). */
const MYSQL_ONLY = names(`
  REGEXP_LIKE ANY_VALUE GROUPING BIN_TO_UUID UUID_TO_BIN IS_UUID JSON_PRETTY JSON_OVERLAPS JSON_SCHEMA_VALID
  JSON_SCHEMA_VALIDATION_REPORT JSON_STORAGE_SIZE JSON_STORAGE_FREE FORMAT_BYTES FORMAT_PICO_TIME ST_DISTANCE_SPHERE
  ST_ISVALID ST_LATITUDE ST_LONGITUDE ST_SWAPXY ST_VALIDATE ST_SIMPLIFY ST_GEOHASH ST_LATFROMGEOHASH ST_LONGFROMGEOHASH
`);

/** MariaDB only (10.6 and later). */
const MARIADB_ONLY = names(`
  CHR LENGTHB TO_CHAR ADD_MONTHS NVL NVL2 MEDIAN PERCENTILE_CONT PERCENTILE_DISC
  JSON_COMPACT JSON_DETAILED JSON_LOOSE JSON_EXISTS JSON_QUERY ST_DISTANCE_SPHERE
`);

const AVAILABLE = new Map<string, Availability>();
for (const name of BOTH) AVAILABLE.set(name, 'both');
for (const name of MYSQL_ONLY) AVAILABLE.set(name, AVAILABLE.has(name) ? 'both' : 'mysql');
for (const name of MARIADB_ONLY) AVAILABLE.set(name, AVAILABLE.get(name) === 'mysql' ? 'both' : (AVAILABLE.get(name) ?? 'mariadb'));

/**
 * Built-ins the servers' grammars parse themselves rather than look up by
 * name. Called with a number of arguments the grammar does not expect, such
 * a name can fall back to a stored function of the same name (measured on
 * MariaDB 10.11: POINT with other than two arguments, LINESTRING and POLYGON
 * with none; the rest are MySQL's function_call_keyword, _nonkeyword and
 * _conflict rules, taken as a precaution). Any other built-in is found by
 * name first, and a wrong number of arguments is an error, never a stored
 * function: so only these are refused when the source has a stored function
 * of the same name.
 */
const GRAMMAR_FUNCTIONS = new Set(
  names(`
    POINT LINESTRING POLYGON CHAR CURRENT_USER DATE DAY HOUR INSERT INTERVAL LEFT MINUTE MONTH RIGHT SECOND TIME TIMESTAMP
    TRIM USER YEAR ADDDATE CURDATE CURTIME DATE_ADD DATE_SUB EXTRACT GET_FORMAT NOW POSITION SUBDATE SUBSTRING SUBSTR
    SYSDATE TIMESTAMPADD TIMESTAMPDIFF UTC_DATE UTC_TIME UTC_TIMESTAMP ASCII CHARSET COALESCE COLLATION DATABASE IF FORMAT
    MICROSECOND MOD QUARTER REPEAT REPLACE REVERSE TRUNCATE WEEK WEIGHT_STRING
  `),
);

/** The built-ins allowed on a server of this flavour (null: unknown, only those both have). */
export function allowedBuiltIns(flavor: MysqlFlavor | null): string[] {
  return [...AVAILABLE].filter(([, where]) => where === 'both' || where === flavor).map(([name]) => name);
}

/**
 * With a space or comment between name and parenthesis (and IGNORE_SPACE
 * off), the server parses some built-ins as a call of a loadable or stored
 * function of that name: `SUM (x)` is not SUM. MySQL documents which names
 * ("Function Name Parsing and Resolution"); MariaDB's list differs by
 * version. So every built-in must be written with its parenthesis directly
 * after the name, except these words, which are reserved on both servers
 * and so can never name a user-defined function.
 */
const SPACE_ALLOWED = new Set(names('MATCH IF LEFT RIGHT INSERT REPLACE CHAR CONVERT MOD REPEAT INTERVAL DATABASE SCHEMA'));

export type FunctionDecision = { allowed: true } | { allowed: false; code: VerdictReasonCode; message: string };

const ALLOWED: FunctionDecision = { allowed: true };

/** Why some well-known refused functions are refused, for a clearer message; the decision is the allow-list's. */
const KNOWN: Record<string, { code: VerdictReasonCode; why: string }> = {};
const explain = (list: string, code: VerdictReasonCode, why: string) => {
  for (const name of names(list)) KNOWN[name] = { code, why };
};
explain('SLEEP BENCHMARK', 'FORBIDDEN_FUNCTION', 'it can block the database');
explain('GET_LOCK RELEASE_LOCK RELEASE_ALL_LOCKS IS_FREE_LOCK IS_USED_LOCK', 'FORBIDDEN_FUNCTION', 'it takes or releases named locks shared with other sessions');
explain('MASTER_POS_WAIT SOURCE_POS_WAIT MASTER_GTID_WAIT WAIT_FOR_EXECUTED_GTID_SET WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS', 'FORBIDDEN_FUNCTION', 'it waits on replication and can block the connection');
explain('NEXTVAL SETVAL LASTVAL', 'FORBIDDEN_FUNCTION', 'it advances or reads a sequence, which is a write or session state');
explain('LOAD_FILE', 'FILE_ACCESS', 'it reads a file on the database server');
explain('SYS_EXEC SYS_EVAL SYS_GET SYS_SET LIB_MYSQLUDF_SYS_INFO', 'FORBIDDEN_FUNCTION', 'it runs operating-system commands through a user-defined function');
explain('LAST_INSERT_ID ROW_COUNT FOUND_ROWS', 'FORBIDDEN_FUNCTION', 'it reports what an earlier statement on the same connection did (session state)');
explain('CONNECTION_ID UUID_SHORT', 'FORBIDDEN_FUNCTION', 'it reads server counters or session ids, which no analysis needs');
explain('STATEMENT_DIGEST STATEMENT_DIGEST_TEXT', 'FORBIDDEN_FUNCTION', 'it reads SQL held in text');

/**
 * Whether a call may run. `qualifier` is the database written before the name (`db.fn()`), which
 * makes it a stored function of that database: allowed only where the source trusts that database's
 * functions. `adjacent` says whether the parenthesis directly follows the name.
 */
export function decideFunction(
  name: string,
  options: { qualifier: string | null; flavor: MysqlFlavor | null; trustedSchemas: readonly string[]; adjacent: boolean; shadowed?: ReadonlySet<string> | null },
): FunctionDecision {
  if (options.qualifier !== null) {
    if (options.trustedSchemas.includes(options.qualifier)) return ALLOWED;
    return {
      allowed: false,
      code: 'FORBIDDEN_FUNCTION',
      message: `${options.qualifier}.${name} is a stored function, which may do anything its author wrote; it may be called only when the source's settings trust the functions of database ${options.qualifier}.`,
    };
  }
  if (/[^\x20-\x7e]/.test(name)) {
    return { allowed: false, code: 'FORBIDDEN_FUNCTION', message: `The name ${name} is not a built-in function: built-in names are plain ASCII, and a look-alike could name a user-defined function.` };
  }
  const upperName = foldUpper(name);
  const availability = AVAILABLE.get(upperName);
  const builtIn = availability === 'both' || (availability !== undefined && availability === options.flavor);
  if (!builtIn) {
    const known = KNOWN[upperName];
    if (known) return { allowed: false, code: known.code, message: `${upperName} is not allowed: ${known.why}.` };
    if (availability) {
      return { allowed: false, code: 'FORBIDDEN_FUNCTION', message: `${upperName} is a built-in only on ${availability === 'mysql' ? 'MySQL' : 'MariaDB'}, and this server is not known to be one; elsewhere the name could call a user-defined function.` };
    }
    return {
      allowed: false,
      code: 'FORBIDDEN_FUNCTION',
      message: `${name} is not a built-in function known to be read-only. User-defined and stored functions are refused unless the source's settings trust their database (then call them as database.${name}()).`,
    };
  }
  if (options.shadowed?.has(upperName) && GRAMMAR_FUNCTIONS.has(upperName)) {
    return {
      allowed: false,
      code: 'FORBIDDEN_FUNCTION',
      message: `${upperName} is also the name of a stored or user-defined function on this server, and with some numbers of arguments the server runs that one instead of the built-in; rename that function to use the built-in.`,
    };
  }
  if (!options.adjacent && !SPACE_ALLOWED.has(upperName)) {
    return {
      allowed: false,
      code: 'FORBIDDEN_FUNCTION',
      message: `Write ${upperName}( with no space or comment before the parenthesis: otherwise the server may call a user-defined function of that name instead of the built-in.`,
    };
  }
  return ALLOWED;
}

/**
 * System variables a query may read: how the server formats, compares and
 * limits values. Paths, host names, ports, replication, plugins, logs and
 * what earlier statements did (warning_count, last_insert_id, identity) are
 * refused.
 */
const READABLE_VARIABLES = new Set(
  names(`
    version version_comment
    character_set_client character_set_connection character_set_database character_set_results character_set_server
    character_set_system collation_connection collation_database collation_server
    time_zone system_time_zone sql_mode lower_case_table_names div_precision_increment default_week_format lc_time_names
    group_concat_max_len max_allowed_packet autocommit transaction_isolation tx_isolation transaction_read_only
    tx_read_only max_execution_time max_statement_time sql_select_limit lock_wait_timeout innodb_lock_wait_timeout
    explicit_defaults_for_timestamp default_storage_engine
  `),
);
const VARIABLE_SCOPES = new Set(['global', 'session', 'local']);

/** Why a system variable may not be read, or null when it may. `name` and `scope` as the lexer gives them (lower-case). */
export function refusedSystemVariable(name: string, scope: string | null): string | null {
  if (scope !== null && !VARIABLE_SCOPES.has(scope)) return `@@${scope}.${name} is not a system variable the checker knows; only GLOBAL, SESSION and LOCAL scopes are read.`;
  if (READABLE_VARIABLES.has(name)) return null;
  return `Reading @@${name} is not allowed: only variables that describe how values are formatted and compared can be read (not paths, host names, logs or session history).`;
}
