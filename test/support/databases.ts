/**
 * Real PostgreSQL and MariaDB databases for tests, loaded from
 * ../shared/testdata/sql. Every test gets its own database (random name) and
 * drops it afterwards. PostgreSQL fixtures are cloned from a template built
 * once per dump version, so a fresh Chinook costs milliseconds.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { testdataDir } from './tmp';

export const PG = {
  host: process.env.POLYSTORE_PGHOST ?? '127.0.0.1',
  port: Number(process.env.POLYSTORE_PGPORT ?? 5432),
  user: process.env.POLYSTORE_PGUSER ?? 'postgres',
};
export const MYSQL = {
  host: process.env.POLYSTORE_MYSQLHOST ?? '127.0.0.1',
  port: Number(process.env.POLYSTORE_MYSQLPORT ?? 3306),
  user: process.env.POLYSTORE_MYSQLUSER ?? 'root',
};

/** The 11 public schemas of nl2sql/spider-dev11, loadable like the sample databases. */
export const SPIDER_DATABASES = [
  'battle_death',
  'course_teach',
  'dog_kennels',
  'museum_visit',
  'network_1',
  'orchestra',
  'poker_player',
  'real_estate_properties',
  'singer',
  'student_transcripts_tracking',
  'voter_1',
] as const;
export type SpiderDatabase = (typeof SPIDER_DATABASES)[number];
type SpiderFixture = `spider_${SpiderDatabase}`;

export type PgFixture = 'chinook' | 'pagila' | 'northwind' | 'empty' | SpiderFixture;
export type MysqlFixture = 'chinook' | 'sakila' | 'empty' | SpiderFixture;

const spiderDumps = (kind: 'postgres' | 'mysql') =>
  Object.fromEntries(SPIDER_DATABASES.map((db) => [`spider_${db}`, [`nl2sql/spider-dev11/${kind}/${db}.sql`]])) as Record<SpiderFixture, string[]>;

const PG_DUMPS: Record<Exclude<PgFixture, 'empty'>, string[]> = {
  chinook: ['sql/chinook/Chinook_PostgreSql.sql'],
  pagila: ['sql/pagila/pagila-schema.sql', 'sql/pagila/pagila-data.sql'],
  northwind: ['sql/northwind/northwind.sql'],
  ...spiderDumps('postgres'),
};
const MYSQL_DUMPS: Record<Exclude<MysqlFixture, 'empty'>, string[]> = {
  chinook: ['sql/chinook/Chinook_MySql.sql'],
  sakila: ['sql/sakila-mysql/sakila-mv-schema.sql', 'sql/sakila-mysql/sakila-mv-data.sql'],
  ...spiderDumps('mysql'),
};

export interface TestDatabase {
  name: string;
  host: string;
  port: number;
  user: string;
  /** A connection URL without a password (trust / empty-password auth on these machines). */
  url: string;
  /** Runs SQL through the command-line client and returns its tab-separated output. */
  sql(statement: string): string;
  drop(): void;
}

const uniqueName = (fixture: string) => `pst_${fixture}_${process.pid}_${randomBytes(3).toString('hex')}`;

function psql(database: string, args: string[], input?: string): string {
  return execFileSync('psql', ['-h', PG.host, '-p', String(PG.port), '-U', PG.user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAtX', ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function mysqlCli(database: string | null, args: string[], input?: string): string {
  return execFileSync('mysql', ['-h', MYSQL.host, '-P', String(MYSQL.port), '-u', MYSQL.user, '--batch', '--skip-column-names', ...(database ? ['-D', database] : []), ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Dump text without its own CREATE/DROP DATABASE and \c / USE lines, so it loads into our database. */
function dumpText(files: string[], kind: 'pg' | 'mysql'): string {
  return files
    .map((f) => fs.readFileSync(path.join(testdataDir, f), 'utf8'))
    .join('\n')
    .split('\n')
    .filter((line) =>
      kind === 'pg'
        ? !/^\s*(DROP DATABASE|CREATE DATABASE|\\c\s)/i.test(line)
        : !/^\s*(DROP DATABASE|CREATE DATABASE|USE\s)/i.test(line),
    )
    .join('\n');
}

function pgTemplate(fixture: Exclude<PgFixture, 'empty'>): string {
  const text = dumpText(PG_DUMPS[fixture], 'pg');
  const template = `pst_tpl_${fixture}_${createHash('sha256').update(text).digest('hex').slice(0, 10)}`;
  const exists = () => psql('postgres', ['-c', `SELECT 1 FROM pg_database WHERE datname = '${template}'`]).trim() === '1';
  if (exists()) return template;
  // Built under a private name and renamed when complete, so nobody clones half a template. Parallel test
  // processes may build at once on a fresh server: the first rename wins and the others drop their copy.
  const building = `${template}_building_${randomBytes(4).toString('hex')}`;
  psql('postgres', ['-c', `CREATE DATABASE ${building}`]);
  try {
    psql(building, ['-f', '-'], text);
    psql('postgres', ['-c', `ALTER DATABASE ${building} RENAME TO ${template}`]);
  } catch (error) {
    psql('postgres', ['-c', `DROP DATABASE IF EXISTS ${building} WITH (FORCE)`]);
    if (!exists()) throw error;
  }
  return template;
}

export function createPgDatabase(fixture: PgFixture = 'empty'): TestDatabase {
  const name = uniqueName(fixture);
  if (fixture === 'empty') psql('postgres', ['-c', `CREATE DATABASE ${name}`]);
  else {
    const template = pgTemplate(fixture);
    // CREATE DATABASE ... TEMPLATE fails while anyone else is connected to the template; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        psql('postgres', ['-c', `CREATE DATABASE ${name} TEMPLATE ${template}`]);
        break;
      } catch (error) {
        if (attempt > 20) throw error;
        execFileSync('sleep', ['0.2']);
      }
    }
  }
  return {
    name,
    ...PG,
    url: `postgres://${PG.user}@${PG.host}:${PG.port}/${name}`,
    sql: (statement) => psql(name, ['-c', statement]),
    drop: () => void psql('postgres', ['-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]),
  };
}

export function createMysqlDatabase(fixture: MysqlFixture = 'empty'): TestDatabase {
  const name = uniqueName(fixture);
  mysqlCli(null, ['-e', `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`]);
  if (fixture !== 'empty') mysqlCli(name, [], dumpText(MYSQL_DUMPS[fixture], 'mysql'));
  return {
    name,
    ...MYSQL,
    url: `mysql://${MYSQL.user}@${MYSQL.host}:${MYSQL.port}/${name}`,
    sql: (statement) => mysqlCli(name, ['-e', statement]),
    drop: () => void mysqlCli(null, ['-e', `DROP DATABASE IF EXISTS \`${name}\``]),
  };
}

/**
 * A fingerprint of everything a write could change: per table, the row count
 * and a hash of all rows; plus the list of tables, views and functions, and
 * (with `serverWide`) the roles. Equal fingerprints before and after mean the
 * database was not modified. Server-wide state is opt-in because tests running
 * in parallel create roles of their own.
 */
export function pgFingerprint(db: TestDatabase, options: { serverWide?: boolean } = {}): string {
  const tables = db
    .sql(`SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema') ORDER BY 1`)
    .trim()
    .split('\n')
    .filter(Boolean);
  const parts = tables.map((t) => `${t}:${db.sql(`SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM ${t} x`).trim()}`);
  parts.push(db.sql(`SELECT string_agg(format('%s.%s', n.nspname, c.relname), ',' ORDER BY n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog','information_schema','pg_toast')`).trim());
  parts.push(db.sql(`SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog','information_schema')`).trim());
  if (options.serverWide) parts.push(db.sql(`SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles`).trim());
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

export function mysqlFingerprint(db: TestDatabase, options: { serverWide?: boolean } = {}): string {
  const tables = db.sql(`SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1`).trim().split('\n').filter(Boolean);
  const parts = tables.map((t) => `${t}:${db.sql(`CHECKSUM TABLE \`${t}\` EXTENDED`).trim()}:${db.sql(`SELECT COUNT(*) FROM \`${t}\``).trim()}`);
  // GROUP_CONCAT stops at 1,024 characters unless told otherwise.
  const concat = (sql: string) => db.sql(`SET SESSION group_concat_max_len = 16777216; ${sql}`).trim();
  parts.push(concat(`SELECT GROUP_CONCAT(routine_name ORDER BY routine_name) FROM information_schema.routines WHERE routine_schema = DATABASE()`));
  if (options.serverWide) {
    parts.push(concat(`SELECT GROUP_CONCAT(CONCAT(user,'@',host) ORDER BY user, host) FROM mysql.user`));
    parts.push(concat(`SELECT GROUP_CONCAT(schema_name ORDER BY schema_name) FROM information_schema.schemata`));
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}
