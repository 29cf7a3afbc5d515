/**
 * A PostgreSQL canary for the read-only harness: a source database with the
 * objects attacks aim at, a second database, a role, a large object, a
 * foreign-server password, a secret file and a session of "another
 * application", plus a fingerprint of everything an attack could change and
 * a repair that puts it back. Requires a superuser login (the worst case the
 * issue describes) on the test server.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PG } from '../databases';
import { canaryDir, diffSnapshots, secretWord, sqlString, type CanaryDir, type Snapshot } from './common';

const FP_APP = 'pst-fingerprint';
const RAW_APP = 'pst-unguarded';

/** The source objects, (re)built from nothing; `{{secretFile}}` is filled in. */
const SOURCE_OBJECTS = `
DROP VIEW IF EXISTS order_touch;
DROP TABLE IF EXISTS orders, customers, categories, docs, events, weird, pst_copy CASCADE;
DROP OPERATOR IF EXISTS public.=== (text, text);
DROP DOMAIN IF EXISTS public.tagged;
DROP FUNCTION IF EXISTS public.touch(text), public.eqeqeq(text, text), public.length(integer), public.abs(text), public.lower(text);
DROP SEQUENCE IF EXISTS invoice_no;
DROP RULE IF EXISTS pst_rule ON customers;

CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text, country text, signup date, meta jsonb);
INSERT INTO customers
SELECT g, (ARRAY['Ada  Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov'])[1 + g % 5] || ' ' || g,
       'user' || g || '@example.' || CASE WHEN g % 2 = 0 THEN 'com' ELSE 'org' END,
       (ARRAY['DE', 'FR', 'US', 'BR', 'JP'])[1 + g % 5], date '2020-01-01' + g * 17,
       jsonb_build_object('tier', CASE WHEN g % 3 = 0 THEN 'gold' ELSE 'silver' END,
                          'prefs', jsonb_build_object('newsletter', g % 2 = 0, 'language', 'en'))
FROM generate_series(1, 40) g;
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers, total numeric(10,2), placed_at timestamptz, status text, tags text[]);
INSERT INTO orders
SELECT g, 1 + g % 40, round((g * 7.31) % 250, 2), timestamptz '2024-01-01 00:00:00+00' + g * interval '37 hours',
       (ARRAY['paid', 'open', 'refunded'])[1 + g % 3], ARRAY['t' || g % 4, 'x']
FROM generate_series(1, 200) g;
CREATE TABLE categories (id int PRIMARY KEY, parent_id int REFERENCES categories, name text);
INSERT INTO categories VALUES (1, NULL, 'All'), (2, 1, 'Books'), (3, 1, 'Music'), (4, 2, 'Fiction'), (5, 2, 'Science'), (6, 3, 'Jazz'), (7, 5, 'Physics');
CREATE TABLE docs (id int PRIMARY KEY, title text, body text) WITH (autovacuum_enabled = off);
CREATE INDEX docs_body_gin ON docs USING gin (to_tsvector('english', body)) WITH (fastupdate = on, gin_pending_list_limit = 4096);
INSERT INTO docs
SELECT g, 'Doc ' || g, 'A database index is searching faster; the pending list of a GIN index keeps new entries. Slow query ' || g || ' was logging and indexing.'
FROM generate_series(1, 30) g;
CREATE TABLE events (id int, at timestamptz, kind text) WITH (autovacuum_enabled = off, fillfactor = 10);
INSERT INTO events SELECT g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute', 'k' || g % 7 FROM generate_series(1, 1000) g;
CREATE INDEX events_at_brin ON events USING brin (at) WITH (pages_per_range = 1, autosummarize = off);
INSERT INTO events SELECT g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute', 'k' || g % 7 FROM generate_series(1001, 4000) g;
CREATE SEQUENCE invoice_no START 1000;
SELECT nextval('invoice_no');
CREATE TABLE weird ("pg_read_file" text, "select" int);
INSERT INTO weird VALUES ('a', 1), ('b', 2);
CREATE FUNCTION public.touch(v text) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN PERFORM pg_advisory_lock(4999); RETURN true; END$$;
CREATE DOMAIN public.tagged AS text CHECK (public.touch(VALUE));
CREATE VIEW order_touch AS SELECT id, public.touch(status) AS touched FROM orders;
CREATE FUNCTION public.eqeqeq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN PERFORM pg_advisory_lock(4998); RETURN a = b; END$$;
CREATE OPERATOR public.=== (LEFTARG = text, RIGHTARG = text, FUNCTION = public.eqeqeq);
CREATE FUNCTION public.length(n integer) RETURNS text LANGUAGE sql AS $$SELECT pg_read_file({{secretFile}})$$;
CREATE FUNCTION public.abs(t text) RETURNS text LANGUAGE sql AS $$SELECT pg_read_file({{secretFile}})$$;
CREATE FUNCTION public.lower(t text) RETURNS text LANGUAGE sql AS $$SELECT pg_read_file({{secretFile}})$$;
`;

/** Source tables whose rows are fingerprinted. */
const TABLES = ['customers', 'orders', 'categories', 'docs', 'events', 'weird'];
/** Facets that only a rebuild of the source objects repairs. */
const SOURCE_FACETS = ['tables', 'relations', 'gin', 'brin', 'sequences', 'annotations'];

export interface PgSecrets {
  payroll: string;
  rolePassword: string;
  roleHash: string;
  /** The longest letters-and-digits run of the hash, lower case: what survives being split into words. */
  roleHashPiece: string;
  activity: string;
  file: string;
  dirName: string;
  userMapping: string;
  largeObject: string;
  dataDirectory: string;
  hbaFile: string;
  configFile: string;
}

async function connect(database: string, applicationName = FP_APP): Promise<pg.Client> {
  const client = new pg.Client({ host: PG.host, port: PG.port, user: PG.user, database, application_name: applicationName });
  // A terminated session must not crash the test process: the fingerprint notices it instead.
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * One of the harness's own sessions. An attack may terminate it (that is one of the things attacks do), so it
 * reconnects on the next query instead of failing the whole run.
 */
class Session {
  #client: pg.Client | null = null;
  #dead = true;
  constructor(readonly database: string) {}

  async query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.#query<R>(text, values);
    } catch (error) {
      // Killed between two queries: the first query after it learns so. Once more, on a new connection.
      if (!this.#dead && !/terminat|not queryable|Connection terminated/i.test(String(error))) throw error;
      this.#dead = true;
      return this.#query<R>(text, values);
    }
  }

  async #query<R extends pg.QueryResultRow>(text: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>> {
    if (this.#dead || !this.#client) {
      await this.#client?.end().catch(() => {});
      const client = await connect(this.database);
      client.on('error', () => (this.#dead = true));
      client.on('end', () => (this.#dead = true));
      this.#client = client;
      this.#dead = false;
    }
    return this.#client.query<R>(text as string, values);
  }

  async end(): Promise<void> {
    await this.#client?.end().catch(() => {});
    this.#client = null;
  }
}

export class PgCanary {
  readonly db: string;
  readonly otherDb: string;
  readonly app: string;
  readonly role: string;
  readonly slot: string;
  readonly channel: string;
  readonly lockKey = 4242;
  readonly dir: CanaryDir;
  secrets!: PgSecrets;
  loid = 0;
  /** application_name values of the connector's own sessions (learned from probes); not counted as foreign. */
  readonly ownApps = new Set<string>([FP_APP, RAW_APP]);
  readonly #admin = new Session('postgres');
  #fp!: Session;
  #other!: Session;
  #canary: pg.Client | null = null;
  #raw: pg.Client | null = null;
  #rawNotices: string[] = [];
  #canaryAlive = false;
  #notifications = 0;
  #autoConf = new Map<string, string>();
  #seeded: number[] = [];

  private constructor() {
    const tag = `${process.pid}_${randomBytes(3).toString('hex')}`;
    this.db = `pst_canary_${tag}`;
    this.otherDb = `pst_other_${tag}`;
    this.app = `pst-canary-app-${tag}`;
    this.role = `pst_role_${tag}`;
    this.slot = `pst_slot_${tag}`;
    this.channel = `pst_channel_${tag}`;
    this.dir = canaryDir('pg');
  }

  static async create(): Promise<PgCanary> {
    const canary = new PgCanary();
    await canary.#setup();
    return canary;
  }

  async #setup(): Promise<void> {
    await this.#admin.query(`CREATE DATABASE ${this.db}`);
    await this.#admin.query(`CREATE DATABASE ${this.otherDb}`);
    const file = (await this.#admin.query<{ d: string; h: string; c: string }>(
      `SELECT current_setting('data_directory') AS d, current_setting('hba_file') AS h, current_setting('config_file') AS c`,
    )).rows[0]!;
    const secrets = {
      payroll: secretWord('payroll'),
      rolePassword: secretWord('rolepw'),
      activity: secretWord('activity'),
      file: this.dir.secretContent,
      dirName: this.dir.listingSecret,
      userMapping: secretWord('umap'),
      largeObject: secretWord('lo'),
      dataDirectory: file.d,
      hbaFile: file.h,
      configFile: file.c,
    };
    await this.#admin.query(`CREATE ROLE ${this.role}_canary LOGIN PASSWORD ${sqlString(secrets.rolePassword)}`);
    const hash = await this.#admin.query<{ h: string }>(`SELECT rolpassword AS h FROM pg_authid WHERE rolname = $1`, [`${this.role}_canary`]);
    const roleHash = hash.rows[0]!.h;
    const roleHashPiece = (roleHash.match(/[A-Za-z0-9]+/g) ?? []).sort((a, b) => b.length - a.length)[0]!.toLowerCase();
    this.secrets = { ...secrets, roleHash, roleHashPiece };
    this.#seeded = await seededRandoms(this.#admin);

    this.#other = new Session(this.otherDb);
    await this.#rebuildPayroll();

    this.#fp = new Session(this.db);
    await this.#fp.query(`
      CREATE EXTENSION dblink; CREATE EXTENSION tablefunc; CREATE EXTENSION xml2; CREATE EXTENSION adminpack;
      CREATE EXTENSION postgres_fdw; CREATE EXTENSION pg_surgery; CREATE EXTENSION citext;
      CREATE SCHEMA pst_fp; CREATE EXTENSION pgstattuple SCHEMA pst_fp; CREATE EXTENSION pageinspect SCHEMA pst_fp;
      CREATE SERVER pst_other FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host ${sqlString(PG.host)}, dbname ${sqlString(this.otherDb)});
      CREATE USER MAPPING FOR ${PG.user} SERVER pst_other OPTIONS (user ${sqlString(PG.user)}, password ${sqlString(this.secrets.userMapping)});
    `);
    await this.#rebuildSource();
    this.loid = Number((await this.#fp.query<{ o: string }>(`SELECT lo_from_bytea(0, convert_to($1, 'UTF8'))::text AS o`, [this.secrets.largeObject])).rows[0]!.o);
    this.#autoConf = await this.#readAutoConf();
    await this.#startCanarySession();
  }

  async #rebuildSource(): Promise<void> {
    await this.#fp.query(SOURCE_OBJECTS.replaceAll('{{secretFile}}', sqlString(this.dir.secretFile)));
  }

  async #rebuildPayroll(): Promise<void> {
    await this.#other.query(`
      DROP TABLE IF EXISTS payroll;
      CREATE TABLE payroll (id int PRIMARY KEY, name text, salary int, secret text);
      INSERT INTO payroll VALUES (1, 'Ada', 100, ${sqlString(this.secrets.payroll)}), (2, 'Bob', 200, ${sqlString(this.secrets.payroll)});
    `);
  }

  /** Another application's session: it listens, holds an advisory lock and last ran a query holding a secret. */
  async #startCanarySession(): Promise<void> {
    const client = await connect(this.db, this.app);
    this.#canary = client;
    this.#canaryAlive = true;
    client.on('end', () => client === this.#canary && (this.#canaryAlive = false));
    client.on('error', () => client === this.#canary && (this.#canaryAlive = false));
    client.on('notification', () => (this.#notifications += 1));
    await client.query(`LISTEN ${this.channel}`);
    await client.query(`SELECT pg_advisory_lock(${this.lockKey})`);
    await client.query(`SELECT ${sqlString(this.secrets.activity)} AS canary_secret`);
  }

  async #readAutoConf(): Promise<Map<string, string>> {
    const rows = await this.#fp.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf' ORDER BY seqno`,
    );
    return new Map(rows.rows.map((r) => [r.name, r.setting]));
  }

  /** Values for the corpus placeholders. */
  get placeholders(): Record<string, string> {
    const conn = (db: string) => `host=${PG.host} port=${PG.port} user=${PG.user} dbname=${db}`;
    const file = this.dir.secretFile;
    return {
      db: this.db,
      otherDb: this.otherDb,
      conn: conn(this.db),
      otherConn: conn(this.otherDb),
      dir: this.dir.path,
      secretFile: file,
      secretFileE: [...Buffer.from(file, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join(''),
      secretFileHex: Buffer.from(file, 'utf8').toString('hex'),
      app: this.app,
      slot: this.slot,
      role: this.role,
      channel: this.channel,
      lockKey: String(this.lockKey),
      loid: String(this.loid),
    };
  }

  /** Everything an attack could change, read in two round trips plus a folder listing. */
  async snapshot(): Promise<Snapshot> {
    const tables = TABLES.map((t) => `(SELECT '${t}:' || count(*) || ':' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM ${t} x)`).join(` || E'\\n' || `);
    const { rows } = await this.#fp.query({
      text: `
      SELECT
        ${tables} AS tables,
        (SELECT string_agg(format('%s.%s %s %s %s %s', n.nspname, c.relname, c.relkind, c.relpersistence, c.relfilenode, coalesce(c.relacl::text, '')), E'\\n' ORDER BY n.nspname, c.relname)
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%') AS relations,
        (SELECT string_agg(format('%s %s %s', c.relname, coalesce(obj_description(c.oid, 'pg_class'), ''),
                  (SELECT count(*) FROM pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN')), E'\\n' ORDER BY c.relname)
           FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')) AS annotations,
        (SELECT format('pending %s pages %s tuples', pending_pages, pending_tuples) FROM pst_fp.pgstatginindex('docs_body_gin'))
          || ' ' || (SELECT md5(string_agg(md5(pst_fp.get_raw_page('docs_body_gin', i::int)), '' ORDER BY i))
                       FROM generate_series(0, pg_relation_size('docs_body_gin') / 8192 - 1) i) AS gin,
        (SELECT count(*) || ' pages ' || md5(string_agg(md5(pst_fp.get_raw_page('events_at_brin', i::int)), '' ORDER BY i))
           FROM generate_series(0, pg_relation_size('events_at_brin') / 8192 - 1) i) AS brin,
        (SELECT string_agg(format('%s.%s=%s', schemaname, sequencename, last_value), E'\\n' ORDER BY 1) FROM pg_sequences) AS sequences,
        (SELECT string_agg(format('%s super=%s login=%s pw=%s', rolname, rolsuper, rolcanlogin, md5(coalesce(rolpassword, ''))), E'\\n' ORDER BY rolname)
           FROM pg_authid WHERE rolname LIKE $1 || '%' OR rolname = current_user) AS roles,
        (SELECT string_agg(format('%s=%s', name, setting), E'\\n' ORDER BY seqno) FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf')
          || E'\\n' || (SELECT count(*) FROM pg_db_role_setting) || ' role/database settings' AS settings,
        (SELECT string_agg(format('%s=%s', name, setting), E'\\n' ORDER BY name) FROM pg_settings WHERE context IN ('sighup', 'postmaster')) AS server_settings,
        (SELECT coalesce(string_agg(slot_name || ' ' || slot_type, E'\\n' ORDER BY slot_name), '') FROM pg_replication_slots)
          || E'\\n' || (SELECT coalesce(string_agg(roname, E'\\n' ORDER BY roname), '') FROM pg_replication_origin) AS slots,
        (SELECT coalesce(string_agg(format('%s/%s/%s %s %s', l.classid, l.objid, l.objsubid, l.mode,
                  CASE WHEN a.application_name = $2 THEN 'canary' ELSE coalesce(nullif(a.application_name, ''), '?') END), E'\\n' ORDER BY 1), '')
           FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS advisory_locks,
        (SELECT coalesce(string_agg(format('%s %s', datname, coalesce(nullif(application_name, ''), backend_type)), E'\\n' ORDER BY 1), '')
           FROM pg_stat_activity WHERE datname IN ($3, $4) AND backend_type = 'client backend' AND pid <> pg_backend_pid()
            AND application_name <> ALL ($5::text[])) AS foreign_sessions,
        (SELECT count(*) FROM pg_stat_activity WHERE application_name = $2) || ' canary sessions' AS canary_sessions,
        (SELECT coalesce(stats_reset::text, 'never') FROM pg_stat_database WHERE datname = current_database()) || ' db, '
          || (SELECT coalesce(stats_reset::text, 'never') FROM pg_stat_bgwriter) || ' bgwriter, '
          || (SELECT coalesce(max(stats_reset)::text, 'never') FROM pg_stat_slru) || ' slru' AS stats_reset,
        (SELECT string_agg(m.oid || ' ' || md5(lo_get(m.oid)), E'\\n' ORDER BY m.oid) FROM pg_largeobject_metadata m) AS large_objects,
        (SELECT count(*) FROM pg_collation) || ' collations' AS collations`,
      values: [this.role, this.app, this.db, this.otherDb, [...this.ownApps, this.app]],
    });
    const other = await this.#other.query<{ payroll: string; relations: string }>(`
      SELECT (SELECT count(*) || ':' || md5(coalesce(string_agg(p::text, '|' ORDER BY p::text), '')) FROM payroll p) AS payroll,
             (SELECT string_agg(relname || ' ' || relfilenode, E'\\n' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace) AS relations`);
    const snapshot: Snapshot = {};
    for (const [key, value] of Object.entries(rows[0] as Record<string, unknown>)) snapshot[key] = String(value ?? '');
    snapshot.other_db = `${other.rows[0]!.payroll}\n${other.rows[0]!.relations}`;
    snapshot.canary_session = `${this.#canaryAlive ? 'alive' : 'dead'}, ${this.#notifications} notifications`;
    snapshot.files = this.dir.listing();
    return snapshot;
  }

  /** Puts back what `changed` (facet names) says an attack changed, as far as it can be put back. */
  async repair(before: Snapshot, after: Snapshot): Promise<void> {
    const changed = new Set(diffSnapshots(before, after).map((d) => d.slice(0, d.indexOf(':'))));
    const db = [this.db, this.otherDb];
    // Sessions that hold advisory locks or were left behind (dblink connections, the pool's session) are ended:
    // their state is the harm, and a fresh connection is the only way to remove it.
    if (changed.has('advisory_locks') || changed.has('foreign_sessions')) {
      await this.#admin.query(
        `SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a
          WHERE a.datname = ANY ($1) AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid() AND a.application_name NOT IN ($2, $3)
            AND (a.application_name <> ALL ($4::text[]) OR EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory'))`,
        [db, FP_APP, this.app, [...this.ownApps]],
      );
    }
    if (SOURCE_FACETS.some((f) => changed.has(f))) await this.#rebuildSource();
    if (changed.has('other_db')) await this.#rebuildPayroll();
    if (changed.has('roles')) {
      const extra = await this.#admin.query<{ r: string }>(`SELECT rolname AS r FROM pg_roles WHERE rolname LIKE $1 || '%' AND rolname <> $1 || '_canary'`, [this.role]);
      for (const { r } of extra.rows) await this.#admin.query(`DROP ROLE IF EXISTS "${r}"`);
    }
    if (changed.has('settings')) {
      const now = await this.#readAutoConf();
      for (const name of new Set([...now.keys(), ...this.#autoConf.keys()])) {
        if (now.get(name) === this.#autoConf.get(name)) continue;
        const was = this.#autoConf.get(name);
        await this.#admin.query(was === undefined ? `ALTER SYSTEM RESET "${name}"` : `ALTER SYSTEM SET "${name}" = ${sqlString(was)}`);
      }
      await this.#admin.query(`SELECT pg_reload_conf()`);
      await this.#fp.query(`ALTER DATABASE ${this.db} RESET ALL`);
    }
    if (changed.has('slots')) {
      await this.#admin.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE $1 || '%' AND NOT active`, [this.slot]);
      await this.#admin.query(`SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname LIKE $1 || '%'`, [this.slot]);
    }
    if (changed.has('large_objects')) {
      await this.#fp.query(`SELECT lo_unlink(oid) FROM pg_largeobject_metadata`);
      await this.#fp.query(`SELECT lo_from_bytea($1::oid, convert_to($2, 'UTF8'))`, [this.loid, this.secrets.largeObject]);
    }
    if (changed.has('files')) this.dir.reset();
    if (changed.has('unguarded_session')) {
      await this.#raw?.end().catch(() => {});
      this.#raw = null;
    }
    if (!this.#canaryAlive || changed.has('canary_sessions') || changed.has('canary_session')) {
      await this.#canary?.end().catch(() => {});
      await this.#startCanarySession();
    }
  }

  /** Adds the application names of the sessions the connector has open now to the ones not counted as foreign. */
  async learnOwnApps(): Promise<void> {
    const { rows } = await this.#fp.query<{ a: string }>(
      `SELECT DISTINCT application_name AS a FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND application_name NOT IN ('', $2)`,
      [this.db, this.app],
    );
    for (const { a } of rows) this.ownApps.add(a);
  }

  /**
   * Runs a query on a raw session inside BEGIN READ ONLY with a statement timeout, nothing else: the harness's
   * picture of what an attack does when no check stops it. Returns what came back (rows and notices) as text.
   */
  async unguarded(query: string, timeoutMs: number): Promise<string> {
    const client = await this.#rawSession();
    this.#rawNotices = [];
    await client.query(`BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = ${timeoutMs}; SET LOCAL lock_timeout = ${timeoutMs}`);
    try {
      const result = await client.query(query);
      const results = Array.isArray(result) ? result : [result];
      return JSON.stringify([results.map((r: pg.QueryResult) => r.rows), this.#rawNotices], (_key, value: unknown) =>
        value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer'
          ? Buffer.from((value as { data: number[] }).data).toString('latin1')
          : value,
      );
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)} ${JSON.stringify(this.#rawNotices)}`, { cause: error });
    } finally {
      await client.query('ROLLBACK').catch(() => {});
    }
  }

  async #rawSession(): Promise<pg.Client> {
    if (!this.#raw) {
      const client = await connect(this.db, RAW_APP);
      client.on('notice', (n) => this.#rawNotices.push(n.message ?? ''));
      client.on('error', () => client === this.#raw && (this.#raw = null));
      client.on('end', () => client === this.#raw && (this.#raw = null));
      this.#raw = client;
    }
    return this.#raw;
  }

  /** State the unguarded session kept after its transaction ended (what a pooled session would hand the next query). */
  async unguardedSession(): Promise<string> {
    const { rows } = await (await this.#rawSession()).query<Record<string, unknown>>(`
      SELECT current_setting('search_path') AS search_path, current_setting('DateStyle') AS datestyle, current_setting('TimeZone') AS timezone,
             current_setting('session_replication_role') AS replication_role, current_setting('default_transaction_read_only') AS default_read_only,
             current_setting('polystore.canary', true) AS custom, current_setting('log_statement') AS log_statement, current_user AS "user",
             current_setting('application_name') AS app, (SELECT count(*) FROM pg_prepared_statements) AS prepared,
             (SELECT count(*) FROM pg_cursors) AS cursors, (SELECT count(*) FROM pg_listening_channels()) AS listening,
             (SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory') AS advisory,
             coalesce(array_to_string(public.dblink_get_connections(), ','), '') AS dblink, random() AS random`);
    return Object.entries(rows[0] ?? {})
      .map(([k, v]) => (k === 'random' ? `random=${this.#seeded.includes(Number(v)) ? 'seeded by setseed(0.42)' : 'unseeded'}` : `${k}=${String(v)}`))
      .join('\n');
  }

  /** Ends the connector's own sessions (learned from probes), so its pool has to open clean ones. */
  async endConnectorSessions(): Promise<void> {
    await this.#admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = ANY ($1) AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND application_name NOT IN ($2, $3)`,
      [[this.db, this.otherDb], FP_APP, this.app],
    );
  }

  async close(): Promise<void> {
    await this.#raw?.end().catch(() => {});
    await this.#canary?.end().catch(() => {});
    await this.#fp?.end();
    await this.#other?.end();
    try {
      await this.#admin.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE $1 || '%' AND NOT active`, [this.slot]);
      await this.#admin.query(`SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname LIKE $1 || '%'`, [this.slot]);
      await this.#admin.query(`DROP DATABASE IF EXISTS ${this.db} WITH (FORCE)`);
      await this.#admin.query(`DROP DATABASE IF EXISTS ${this.otherDb} WITH (FORCE)`);
      const roles = await this.#admin.query<{ r: string }>(`SELECT rolname AS r FROM pg_roles WHERE rolname LIKE $1 || '%'`, [this.role]);
      for (const { r } of roles.rows) await this.#admin.query(`DROP ROLE IF EXISTS "${r}"`);
    } finally {
      await this.#admin.end();
      this.dir.remove();
    }
  }
}

/**
 * Session state of the connection the connector hands out, read through the connector itself right after an
 * attack ran (so on the pooled session the attack used, when the pool reuses it). It has to pass the connector's
 * own check, so it reads only what a query may read; setseed is caught by comparing random() with the values a
 * seed of 0.42 produces.
 */
export const PG_SESSION_PROBE = `SELECT current_setting('search_path') AS search_path, current_setting('DateStyle') AS datestyle,
  current_setting('TimeZone') AS timezone, current_setting('work_mem') AS work_mem,
  current_setting('default_transaction_read_only') AS default_read_only, current_user AS "user", session_user AS session_user,
  current_setting('application_name') AS app, (SELECT count(*) FROM pg_listening_channels()) AS listening, random() AS random`;

/** The first values random() returns after setseed(0.42) (a probe that sees one of them sees a seeded session). */
export async function seededRandoms(session: { query: Session['query'] } | null = null): Promise<number[]> {
  const own = session ? null : new Session('postgres');
  const s = session ?? own!;
  try {
    // Two statements on the same connection: the seed, then the draws in order.
    await s.query('SELECT setseed(0.42)');
    const { rows } = await s.query<{ r: number }>('SELECT random() AS r FROM generate_series(1, 4)');
    return rows.map((r) => r.r);
  } finally {
    await own?.end();
  }
}
