/**
 * The corpora themselves: big enough (issue 9's minimums), every class
 * covered, ids unique and well formed, every placeholder one the store's
 * harness fills in, and the attacks the issue quotes all present.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { duckdbAnalytical } from '../analytical/duckdb';
import { mongodbAnalytical } from '../analytical/mongodb';
import { mysqlAnalytical } from '../analytical/mysql';
import { postgresAnalytical } from '../analytical/postgres';
import { duckdbAttacks } from './duckdb';
import { mongodbAttacks } from './mongodb';
import { mysqlAttacks } from './mysql';
import { postgresAttacks } from './postgres';
import { ATTACK_CLASSES, fill, type AnalyticalQuery, type Attack, type AttackClass } from './types';

interface Store {
  name: string;
  attacks: Attack[];
  analytical: AnalyticalQuery[];
  minAttacks: number;
  minAnalytical: number;
  /** Classes that do not apply to the store. */
  without: AttackClass[];
  /** Placeholders its harness fills in. */
  placeholders: string[];
}

const STORES: Store[] = [
  {
    name: 'pg',
    attacks: postgresAttacks,
    analytical: postgresAnalytical,
    minAttacks: 150,
    minAnalytical: 40,
    without: ['wire-level'],
    placeholders: ['db', 'otherDb', 'conn', 'otherConn', 'dir', 'secretFile', 'secretFileE', 'secretFileHex', 'app', 'slot', 'role', 'channel', 'lockKey', 'loid'],
  },
  {
    name: 'mysql',
    attacks: mysqlAttacks,
    analytical: mysqlAnalytical,
    minAttacks: 100,
    minAnalytical: 40,
    without: ['wire-level'],
    placeholders: ['db', 'otherDb', 'user', 'lock', 'canaryId', 'sleeperId', 'dir', 'secretFile', 'secretFileHex'],
  },
  {
    name: 'duckdb',
    attacks: duckdbAttacks,
    analytical: duckdbAnalytical,
    minAttacks: 80,
    minAnalytical: 40,
    without: ['wire-level', 'side-effect'],
    placeholders: ['dir', 'sourceDir', 'home', 'secretFile', 'secretCsv', 'secretCsvHex', 'secretCsvE', 'secretCsvUpperExt', 'secretJson', 'otherDuckdb', 'otherParquet'],
  },
  {
    name: 'mongodb',
    attacks: mongodbAttacks,
    analytical: mongodbAnalytical,
    minAttacks: 60,
    minAnalytical: 20,
    without: ['sql-in-text', 'encoding', 'file-access', 'write-disguise'],
    placeholders: ['db', 'otherDb'],
  },
];

for (const store of STORES) {
  test(`${store.name}: at least ${store.minAttacks} attacks and ${store.minAnalytical} analytical reads`, () => {
    assert.ok(store.attacks.length >= store.minAttacks, `${store.attacks.length} attacks`);
    assert.ok(store.analytical.length >= store.minAnalytical, `${store.analytical.length} analytical reads`);
  });

  test(`${store.name}: every class that applies has attacks`, () => {
    for (const cls of ATTACK_CLASSES.filter((c) => !store.without.includes(c))) {
      assert.ok(store.attacks.some((a) => a.class === cls), `no ${cls} attack`);
    }
  });

  test(`${store.name}: ids are unique and name their store and class`, () => {
    const ids = [...store.attacks.map((a) => a.id), ...store.analytical.map((a) => a.id)];
    assert.equal(ids.length, new Set(ids).size, 'duplicate ids');
    for (const a of store.attacks) assert.ok(a.id.startsWith(`${store.name === 'pg' ? 'pg' : store.name}/${a.class}/`), a.id);
    for (const a of store.attacks) assert.ok(a.does.length > 10, `${a.id} says what it would do`);
  });

  test(`${store.name}: every placeholder is one the harness fills in`, () => {
    const values = Object.fromEntries(store.placeholders.map((p) => [p, 'x']));
    for (const entry of [...store.attacks, ...store.analytical]) fill(entry.query, values);
  });
}

test('the attacks quoted in issue 9 are in the corpora', () => {
  const queries = [...postgresAttacks, ...mysqlAttacks, ...duckdbAttacks, ...mongodbAttacks].map((a) => a.query);
  const quoted = [
    /ts_rewrite\('a'::tsquery, \$q\$SELECT 'a'::tsquery, plainto_tsquery\('simple', pg_read_file/,
    /SELECT gin_clean_pending_list\('docs_body_gin'\)/,
    /SELECT brin_summarize_new_values\('events_at_brin'\)/,
    /SELECT setseed\(/,
    /FROM pg_authid/,
    /FROM pg_shadow/,
    /pg_hba_file_rules/,
    /pg_file_settings/,
    /pg_stat_activity WHERE application_name/,
    /dblink_exec\('\{\{conn\}\}', \$q\$COPY \(SELECT 1\) TO PROGRAM/,
    /pg_terminate_backend/,
    /pg_advisory_lock/,
    /pg_stat_reset\(\)/,
    /pg_create_physical_replication_slot/,
    /SELECT \* FROM \{\{otherDb\}\}\.payroll/,
    /mysql\.global_priv/,
    /information_schema\.processlist/,
    /"database": "admin", "collection": "credentials"/,
    /SELECT length\(repeat\('x', 1500000000\)\)/,
    /SELECT length\(repeat\(md5\('a'\), 25000000\)\)/,
    /SELECT repeat\('x', 200000000\)/,
  ];
  for (const pattern of quoted) assert.ok(queries.some((q) => pattern.test(q)), `missing: ${pattern}`);
});

test.run();
