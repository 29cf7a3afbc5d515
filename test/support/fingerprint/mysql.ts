/**
 * A MariaDB / MySQL canary for the read-only harness: a source database with
 * the objects attacks aim at, another database with a secret, a login whose
 * hash is a secret, a session holding a user lock, a session whose running
 * query holds a secret, a secret file; a fingerprint of everything an attack
 * could change and a repair that puts it back. Needs a root login.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { MYSQL } from '../databases';
import { canaryDir, diffSnapshots, secretWord, sqlString, type CanaryDir, type Snapshot } from './common';

const SOURCE_TABLES = ['customers', 'orders', 'categories', 'docs', 'events', 'weird'];
const SOURCE_FACETS = ['tables', 'relations', 'table_ids', 'columns', 'routines', 'sequence', 'table_stats', 'blocked'];
/** Lock names the corpus uses ({{lock}} and these suffixes). */
const LOCK_SUFFIXES = ['', '_1', '_2', '_3', '_fn'];
/** Global variables that change on their own. */
const VOLATILE_GLOBALS = /^(gtid_|innodb_buffer_pool_dump_now|innodb_buffer_pool_load_now|timestamp$)/i;

function sourceObjects(secretFile: string, lock: string): string {
  return `
DROP VIEW IF EXISTS order_touch;
DROP TABLE IF EXISTS orders, customers, categories, docs, events, weird, pst_copy, pst_ddl, pst_csv;
DROP FUNCTION IF EXISTS touch;
DROP FUNCTION IF EXISTS \`lower\`;
DROP FUNCTION IF EXISTS pst_udf;
DROP PROCEDURE IF EXISTS nuke;
DROP SEQUENCE IF EXISTS invoice_no;
CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(100), country CHAR(2), signup DATE, meta JSON) STATS_AUTO_RECALC = 0;
INSERT INTO customers
SELECT seq, CONCAT(ELT(1 + seq % 5, 'Ada  Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov'), ' ', seq),
       CONCAT('user', seq, '@example.', IF(seq % 2 = 0, 'com', 'org')), ELT(1 + seq % 5, 'DE', 'FR', 'US', 'BR', 'JP'),
       '2020-01-01' + INTERVAL seq * 17 DAY,
       JSON_OBJECT('tier', IF(seq % 3 = 0, 'gold', 'silver'), 'prefs', JSON_OBJECT('newsletter', seq % 2 = 0, 'language', 'en'))
FROM seq_1_to_40;
CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, total DECIMAL(10,2), placed_at DATETIME, status VARCHAR(20), tags JSON,
                     FOREIGN KEY (customer_id) REFERENCES customers (id)) STATS_AUTO_RECALC = 0;
INSERT INTO orders
SELECT seq, 1 + seq % 40, ROUND(MOD(seq * 7.31, 250), 2), '2024-01-01' + INTERVAL seq * 37 HOUR,
       ELT(1 + seq % 3, 'paid', 'open', 'refunded'), JSON_ARRAY(CONCAT('t', seq % 4), 'x')
FROM seq_1_to_200;
CREATE TABLE categories (id INT PRIMARY KEY, parent_id INT, name VARCHAR(50)) STATS_AUTO_RECALC = 0;
INSERT INTO categories VALUES (1, NULL, 'All'), (2, 1, 'Books'), (3, 1, 'Music'), (4, 2, 'Fiction'), (5, 2, 'Science'), (6, 3, 'Jazz'), (7, 5, 'Physics');
CREATE TABLE docs (id INT PRIMARY KEY, title VARCHAR(50), body TEXT, FULLTEXT (body)) STATS_AUTO_RECALC = 0;
INSERT INTO docs
SELECT seq, CONCAT('Doc ', seq), CONCAT('A database index is searching faster; the pending list keeps new entries. Slow query ', seq, ' was logging and indexing.')
FROM seq_1_to_30;
CREATE TABLE events (id INT, at DATETIME, kind VARCHAR(10)) STATS_AUTO_RECALC = 0;
INSERT INTO events SELECT seq, '2024-01-01' + INTERVAL seq MINUTE, CONCAT('k', seq % 7) FROM seq_1_to_1000;
CREATE TABLE weird (\`LOAD_FILE\` TEXT, \`select\` INT) STATS_AUTO_RECALC = 0;
INSERT INTO weird VALUES ('a', 1), ('b', 2);
CREATE SEQUENCE invoice_no START WITH 1000 NOCACHE;
SELECT NEXTVAL(invoice_no);
CREATE FUNCTION touch(v TEXT) RETURNS INT NOT DETERMINISTIC NO SQL RETURN GET_LOCK(${sqlString(`${lock}_fn`)}, 0);
CREATE FUNCTION \`lower\`(v TEXT) RETURNS TEXT NOT DETERMINISTIC READS SQL DATA RETURN LOAD_FILE(${sqlString(secretFile)});
CREATE PROCEDURE nuke() MODIFIES SQL DATA DELETE FROM orders WHERE id = 1;
CREATE VIEW order_touch AS SELECT id, touch(status) AS touched FROM orders;
ANALYZE TABLE customers, orders, categories, docs, events, weird;
`;
}

type Conn = mysql.Connection;

async function open(database?: string): Promise<Conn> {
  const conn = await mysql.createConnection({ host: MYSQL.host, port: MYSQL.port, user: MYSQL.user, database, multipleStatements: true, dateStrings: true });
  // A killed connection must not crash the test process: the fingerprint notices it instead.
  conn.on('error', () => {});
  return conn;
}

/** One of the harness's own connections; an attack may kill it, so it reconnects on the next query. */
class Session {
  #conn: Conn | null = null;
  constructor(readonly database?: string) {}

  async query<T = mysql.RowDataPacket[]>(sql: string, values?: unknown[]): Promise<T> {
    try {
      return await this.#query<T>(sql, values);
    } catch (error) {
      if (!/closed state|Connection lost|killed|ECONNRESET|PROTOCOL_CONNECTION_LOST/i.test(String(error))) throw error;
      this.#conn = null;
      return this.#query<T>(sql, values);
    }
  }

  async #query<T>(sql: string, values?: unknown[]): Promise<T> {
    if (!this.#conn) {
      const conn = await open(this.database);
      conn.on('end', () => conn === this.#conn && (this.#conn = null));
      conn.on('error', () => conn === this.#conn && (this.#conn = null));
      // A table an attack left locked must fail the fingerprint (and be seen), not hang it.
      await conn.query(`SET SESSION lock_wait_timeout = 5, innodb_lock_wait_timeout = 5, max_statement_time = 30`);
      this.#conn = conn;
    }
    const [rows] = await this.#conn.query(sql, values);
    return rows as T;
  }

  get threadId(): number | null {
    return this.#conn?.threadId ?? null;
  }

  async end(): Promise<void> {
    await this.#conn?.end().catch(() => {});
    this.#conn = null;
  }
}

export interface MysqlSecrets {
  payroll: string;
  tableComment: string;
  userPassword: string;
  userHash: string;
  activity: string;
  file: string;
  dirName: string;
  dataDirectory: string;
}

export class MysqlCanary {
  readonly db: string;
  readonly otherDb: string;
  readonly user: string;
  readonly lock: string;
  readonly dir: CanaryDir;
  secrets!: MysqlSecrets;
  readonly #admin = new Session();
  #fp!: Session;
  #holder: Conn | null = null;
  #holderAlive = false;
  #sleeper: Conn | null = null;
  #sleeperAlive = false;
  #raw: Conn | null = null;
  #globals = new Map<string, string>();

  private constructor() {
    const tag = `${process.pid}_${randomBytes(3).toString('hex')}`;
    this.db = `pst_canary_${tag}`;
    this.otherDb = `pst_other_${tag}`;
    this.user = `pst_user_${tag}`;
    this.lock = `pst_lock_${tag}`;
    this.dir = canaryDir('mysql');
  }

  static async create(): Promise<MysqlCanary> {
    const canary = new MysqlCanary();
    await canary.#setup();
    return canary;
  }

  async #setup(): Promise<void> {
    const [dirs] = await this.#admin.query<{ d: string }[]>(`SELECT @@datadir AS d`);
    this.secrets = {
      payroll: secretWord('payroll'),
      tableComment: secretWord('comment'),
      userPassword: secretWord('userpw'),
      userHash: '',
      activity: secretWord('activity'),
      file: this.dir.secretContent,
      dirName: this.dir.listingSecret,
      dataDirectory: dirs!.d,
    };
    await this.#admin.query(`CREATE DATABASE \`${this.db}\` CHARACTER SET utf8mb4; CREATE DATABASE \`${this.otherDb}\` CHARACTER SET utf8mb4`);
    await this.#admin.query(`CREATE USER ${sqlString(this.user)}@'localhost' IDENTIFIED BY ${sqlString(this.secrets.userPassword)}`);
    const [hash] = await this.#admin.query<{ h: string }[]>(`SELECT authentication_string AS h FROM mysql.user WHERE User = ?`, [this.user]);
    this.secrets.userHash = hash!.h;
    this.#fp = new Session(this.db);
    await this.#rebuildSource();
    await this.#rebuildPayroll();
    this.#globals = await this.#readGlobals();
    await this.#startCanarySessions();
  }

  async #rebuildSource(): Promise<void> {
    await this.#fp.query(sourceObjects(this.dir.secretFile, this.lock));
  }

  async #rebuildPayroll(): Promise<void> {
    await this.#admin.query(`
      DROP TABLE IF EXISTS \`${this.otherDb}\`.payroll;
      CREATE TABLE \`${this.otherDb}\`.payroll (id INT PRIMARY KEY, name VARCHAR(50), salary INT, secret VARCHAR(100)) COMMENT ${sqlString(this.secrets.tableComment)};
      INSERT INTO \`${this.otherDb}\`.payroll VALUES (1, 'Ada', 100, ${sqlString(this.secrets.payroll)}), (2, 'Bob', 200, ${sqlString(this.secrets.payroll)});`);
  }

  async #readGlobals(): Promise<Map<string, string>> {
    const rows = await this.#admin.query<{ Variable_name: string; Value: string }[]>(`SHOW GLOBAL VARIABLES`);
    return new Map(rows.filter((r) => !VOLATILE_GLOBALS.test(r.Variable_name)).map((r) => [r.Variable_name, String(r.Value)]));
  }

  /** Another application's sessions: one holds a user lock, one is running a query whose text holds a secret. */
  async #startCanarySessions(): Promise<void> {
    if (!this.#holderAlive) {
      const holder = await open(this.db);
      this.#holder = holder;
      this.#holderAlive = true;
      const dead = () => holder === this.#holder && (this.#holderAlive = false);
      holder.on('end', dead);
      holder.on('error', dead);
      await holder.query(`SELECT GET_LOCK(?, 0)`, [this.lock]);
    }
    if (!this.#sleeperAlive) {
      const sleeper = await open(this.db);
      this.#sleeper = sleeper;
      this.#sleeperAlive = true;
      // Ends only when killed (or at close): its end is what an attack on it looks like.
      sleeper
        .query(`SELECT SLEEP(3600) AS canary /* ${this.secrets.activity} */`)
        .catch(() => {})
        .finally(() => sleeper === this.#sleeper && (this.#sleeperAlive = false));
      // Wait until the server shows it running, so the first snapshot sees the session as it will stay.
      for (;;) {
        const rows = await this.#admin.query<{ n: number }[]>(`SELECT COUNT(*) AS n FROM information_schema.processlist WHERE id = ? AND info LIKE 'SELECT SLEEP%'`, [sleeper.threadId]);
        if (Number(rows[0]!.n) > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  get placeholders(): Record<string, string> {
    return {
      db: this.db,
      otherDb: this.otherDb,
      user: this.user,
      lock: this.lock,
      canaryId: String(this.#holder?.threadId ?? 0),
      sleeperId: String(this.#sleeper?.threadId ?? 0),
      dir: this.dir.path,
      secretFile: this.dir.secretFile,
      secretFileHex: Buffer.from(this.dir.secretFile, 'utf8').toString('hex'),
    };
  }

  /** Connection ids that belong to the harness (everything else on the source database is the connector's). */
  #ownIds(): number[] {
    return [this.#admin.threadId, this.#fp.threadId, this.#holder?.threadId, this.#sleeper?.threadId, this.#raw?.threadId].filter((n): n is number => typeof n === 'number');
  }

  async snapshot(): Promise<Snapshot> {
    try {
      return await this.#snapshot();
    } catch (error) {
      // Typically a lock wait timeout: some session holds a lock on the canary that it should not.
      return { blocked: `the fingerprint could not read the server: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async #snapshot(): Promise<Snapshot> {
    const q = (name: string) => `\`${this.db}\`.\`${name}\``;
    const sums = await this.#fp.query<{ Table: string; Checksum: number | null }[]>(`CHECKSUM TABLE ${SOURCE_TABLES.map(q).join(', ')} EXTENDED`);
    const counts = await this.#fp.query<Record<string, number>[]>(`SELECT ${SOURCE_TABLES.map((t) => `(SELECT COUNT(*) FROM ${q(t)}) AS \`${t}\``).join(', ')}`);
    const [other] = await this.#fp.query<{ Checksum: number | null }[]>(`CHECKSUM TABLE \`${this.otherDb}\`.payroll EXTENDED`);
    const [facts] = await this.#fp.query<Record<string, string | null>[]>(
      `SELECT
        (SELECT GROUP_CONCAT(CONCAT_WS(' ', table_schema, table_name, table_type, engine, create_time, table_comment) ORDER BY table_schema, table_name SEPARATOR '\\n')
           FROM information_schema.tables WHERE table_schema IN (?, ?)) AS relations,
        (SELECT GROUP_CONCAT(CONCAT_WS(' ', name, table_id) ORDER BY name SEPARATOR '\\n')
           FROM information_schema.innodb_sys_tables WHERE name LIKE CONCAT(?, '/%') OR name LIKE CONCAT(?, '/%')) AS table_ids,
        (SELECT GROUP_CONCAT(CONCAT_WS(' ', table_name, column_name, column_type) ORDER BY table_name, ordinal_position SEPARATOR '\\n')
           FROM information_schema.columns WHERE table_schema IN (?, ?)) AS columns,
        (SELECT GROUP_CONCAT(CONCAT_WS(' ', routine_type, routine_name, MD5(routine_definition)) ORDER BY routine_name SEPARATOR '\\n')
           FROM information_schema.routines WHERE routine_schema = ?) AS routines,
        (SELECT next_not_cached_value FROM ${q('invoice_no')}) AS sequence,
        (SELECT GROUP_CONCAT(CONCAT_WS(' ', table_name, n_rows, last_update) ORDER BY table_name SEPARATOR '\\n')
           FROM mysql.innodb_table_stats WHERE database_name = ?) AS table_stats,
        (SELECT GROUP_CONCAT(schema_name ORDER BY schema_name SEPARATOR '\\n') FROM information_schema.schemata WHERE schema_name IN (?, ?)) AS \`databases\`,
        (SELECT GROUP_CONCAT(CONCAT_WS(' ', User, Host, MD5(Priv)) ORDER BY User, Host SEPARATOR '\\n') FROM mysql.global_priv WHERE User LIKE CONCAT(?, '%') OR User = 'root') AS users,
        (SELECT GROUP_CONCAT(CONCAT(plugin_name, ' ', plugin_status) ORDER BY plugin_name SEPARATOR '\\n') FROM information_schema.plugins) AS plugins,
        (SELECT GROUP_CONCAT(id ORDER BY id) FROM information_schema.processlist WHERE id IN (?, ?)) AS canary_ids`,
      [this.db, this.otherDb, this.db, this.otherDb, this.db, this.otherDb, this.db, this.db, this.db, this.otherDb, this.user, this.#holder?.threadId ?? 0, this.#sleeper?.threadId ?? 0],
    );
    const lockNames = LOCK_SUFFIXES.map((s) => `${this.lock}${s}`);
    const [locks] = await this.#fp.query<Record<string, number | null>[]>(`SELECT ${lockNames.map((_, i) => `IS_USED_LOCK(?) AS l${i}`).join(', ')}`, lockNames);
    const holderId = this.#holder?.threadId;
    const xa = await this.#fp.query<{ data: string }[]>(`XA RECOVER`);
    const globals = await this.#readGlobals();
    const snapshot: Snapshot = {
      tables: sums.map((s) => `${s.Table} ${s.Checksum} ${counts[0]![s.Table.split('.').pop()!]}`).join('\n'),
      other_db: `payroll ${other!.Checksum}`,
      user_locks: lockNames.map((name, i) => `${name.slice(this.lock.length) || '(main)'} ${locks![`l${i}`] === null ? 'free' : locks![`l${i}`] === holderId ? 'canary' : 'held by another session'}`).join('\n'),
      xa: xa.map((x) => x.data).join('\n'),
      globals: [...globals].map(([k, v]) => `${k}=${v}`).join('\n'),
      canary_sessions: `holder ${this.#holderAlive ? 'alive' : 'dead'}, sleeper ${this.#sleeperAlive ? 'running' : 'ended'}`,
      files: this.dir.listing(),
    };
    for (const [key, value] of Object.entries(facts!)) snapshot[key] = String(value ?? '');
    return snapshot;
  }

  async repair(before: Snapshot, after: Snapshot): Promise<void> {
    const changed = new Set(diffSnapshots(before, after).map((d) => d.slice(0, d.indexOf(':'))));
    if (changed.has('blocked') || changed.has('unguarded_session')) {
      await this.#raw?.end().catch(() => {});
      this.#raw?.destroy();
      this.#raw = null;
    }
    if (changed.has('blocked')) await this.endConnectorSessions();
    if (changed.has('user_locks')) {
      // A lock is released only by its session: end whichever session holds one that is not the canary's.
      for (const suffix of LOCK_SUFFIXES) {
        const [row] = await this.#admin.query<{ id: number | null }[]>(`SELECT IS_USED_LOCK(?) AS id`, [`${this.lock}${suffix}`]);
        if (row?.id && row.id !== this.#holder?.threadId) await this.#admin.query(`KILL ${Number(row.id)}`).catch(() => {});
      }
    }
    if (SOURCE_FACETS.some((f) => changed.has(f))) await this.#rebuildSource();
    if (changed.has('other_db') || (changed.has('relations') && !after.relations?.includes(`${this.otherDb} payroll`))) await this.#rebuildPayroll();
    if (changed.has('users')) {
      const extra = await this.#admin.query<{ u: string; h: string }[]>(`SELECT User AS u, Host AS h FROM mysql.global_priv WHERE User LIKE CONCAT(?, '%') AND User <> ?`, [this.user, this.user]);
      for (const { u, h } of extra) await this.#admin.query(`DROP USER ${sqlString(u)}@${sqlString(h)}`);
      await this.#admin.query(`CREATE USER IF NOT EXISTS ${sqlString(this.user)}@'localhost' IDENTIFIED BY ${sqlString(this.secrets.userPassword)}`);
      await this.#admin.query(`REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${sqlString(this.user)}@'localhost'`).catch(() => {});
      await this.#admin.query(`ALTER USER ${sqlString(this.user)}@'localhost' IDENTIFIED BY ${sqlString(this.secrets.userPassword)}`);
    }
    if (changed.has('globals')) {
      const now = await this.#readGlobals();
      for (const [name, value] of this.#globals) {
        if (now.get(name) === value) continue;
        await this.#setGlobal(name, value);
      }
    }
    if (changed.has('plugins')) {
      for (const soname of ['ha_blackhole']) await this.#admin.query(`UNINSTALL SONAME ?`, [soname]).catch(() => {});
    }
    if (changed.has('xa')) {
      const xa = await this.#admin.query<{ data: string }[]>(`XA RECOVER`);
      for (const { data } of xa) await this.#admin.query(`XA ROLLBACK ?`, [data]).catch(() => {});
    }
    if (changed.has('files')) this.dir.reset();
    await this.#startCanarySessions();
  }

  /** Puts a global variable back; numbers must be sent as numbers (a quoted number is refused for an integer variable). */
  async #setGlobal(name: string, value: string): Promise<void> {
    await this.#admin.query(`SET GLOBAL \`${name}\` = ?`, [/^-?\d+$/.test(value) ? Number(value) : value]).catch(() => {});
  }

  /** Ends the connector's sessions (every connection to the source database that is not the harness's own). */
  async endConnectorSessions(): Promise<void> {
    const own = this.#ownIds();
    const rows = await this.#admin.query<{ id: number }[]>(`SELECT id FROM information_schema.processlist WHERE db IN (?, ?) AND id <> CONNECTION_ID()`, [this.db, this.otherDb]);
    for (const { id } of rows) if (!own.includes(id)) await this.#admin.query(`KILL ${Number(id)}`).catch(() => {});
  }

  async #rawSession(): Promise<Conn> {
    if (!this.#raw) {
      const conn = await open(this.db);
      const gone = () => conn === this.#raw && (this.#raw = null);
      conn.on('end', gone);
      conn.on('error', gone);
      this.#raw = conn;
    }
    return this.#raw;
  }

  /** Runs a query on a raw connection inside START TRANSACTION READ ONLY with a time limit, nothing else. */
  async unguarded(query: string, timeoutMs: number): Promise<string> {
    const conn = await this.#rawSession();
    await conn.query(`SET SESSION max_statement_time = ${timeoutMs / 1000}; START TRANSACTION READ ONLY`);
    try {
      const [rows] = await conn.query(query);
      return JSON.stringify(rows, (_key, value: unknown) =>
        value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer' ? Buffer.from((value as { data: number[] }).data).toString('latin1') : value,
      );
    } finally {
      await conn.query('ROLLBACK').catch(() => {});
    }
  }

  /** State the unguarded connection kept after its transaction ended. */
  async unguardedSession(): Promise<string> {
    const conn = await this.#rawSession();
    const [rows] = await conn.query<mysql.RowDataPacket[]>(MYSQL_SESSION_PROBE_UNGUARDED);
    return Object.entries(rows[0] ?? {})
      .map(([k, v]) => `${k}=${String(v)}`)
      .join('\n');
  }

  async close(): Promise<void> {
    for (const conn of [this.#raw, this.#holder]) await conn?.end().catch(() => {});
    if (this.#sleeper?.threadId) await this.#admin.query(`KILL ${this.#sleeper.threadId}`).catch(() => {});
    this.#sleeper?.destroy();
    await this.#fp?.end();
    try {
      await this.#admin.query(`DROP DATABASE IF EXISTS \`${this.db}\`; DROP DATABASE IF EXISTS \`${this.otherDb}\``);
      const users = await this.#admin.query<{ u: string; h: string }[]>(`SELECT User AS u, Host AS h FROM mysql.global_priv WHERE User LIKE CONCAT(?, '%')`, [this.user]);
      for (const { u, h } of users) await this.#admin.query(`DROP USER ${sqlString(u)}@${sqlString(h)}`);
      const now = await this.#readGlobals();
      for (const [name, value] of this.#globals) if (now.get(name) !== value) await this.#setGlobal(name, value);
    } finally {
      await this.#admin.end();
      this.dir.remove();
    }
  }
}

/** The session state a query may leave behind, read on the unguarded connection (which can read anything). */
const MYSQL_SESSION_PROBE_UNGUARDED = `SELECT @@session.sql_mode AS sql_mode, @@session.time_zone AS time_zone, @@session.character_set_client AS charset,
  @@session.autocommit AS autocommit, @@session.sql_select_limit AS select_limit, DATABASE() AS db, @@session.group_concat_max_len AS group_concat,
  @@session.wait_timeout AS wait_timeout, LAST_INSERT_ID() AS last_insert_id, @@session.timestamp < 1000000 AS frozen_clock,
  @@session.tx_read_only AS read_only, @@session.sql_log_bin AS log_bin,
  (SELECT COUNT(*) FROM information_schema.user_variables) AS user_variables,
  (SELECT COUNT(*) FROM information_schema.processlist WHERE id = CONNECTION_ID()) AS alive`;
