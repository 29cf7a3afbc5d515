/**
 * The guardrail's catalog stored between processes (catalog-store.ts), on a
 * real PostgreSQL. Each "process" is a new connector (its own in-memory
 * cache) on the same source folder, as each `polystore check` is. The stored
 * catalog is used only while the server's catalog is provably the same: a
 * change to a function, another server version, another source, an old or
 * damaged file each mean a fresh read, and every attack refused on a fresh
 * read is refused from the stored catalog too.
 *
 * To see which catalog decided, some tests edit the stored file so that it
 * refuses `upper()` (marked VOLATILE): a refusal then proves the stored
 * catalog was used, an allowed `upper()` that it was read again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CATALOG_TTL_MS } from '../../../../../engine/connectors/postgres/catalog';
import { CATALOG_STORE_FILE } from '../../../../../engine/connectors/postgres/catalog-store';
import { createPostgresConnector } from '../../../../../engine/connectors/postgres/connector';
import type { ConnectionSpec } from '../../../../../engine/connectors/types';
import type { VerdictReasonCode } from '../../../../../engine/contract/index';
import { createPgDatabase, type TestDatabase } from '../../../../support/databases';
import { tempDir } from '../../../../support/tmp';
import { never, pgSpec } from './support';

let db: TestDatabase;
let other: TestDatabase;
let folders: ReturnType<typeof tempDir>;
let folderCount = 0;

test.before(() => {
  db = createPgDatabase('chinook');
  other = createPgDatabase('chinook');
  for (const d of [db, other]) {
    d.sql(`
      CREATE SCHEMA trusted_fns;
      CREATE FUNCTION trusted_fns.add_one(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 + 1';
      CREATE FUNCTION lying_immutable() RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM pg_catalog.pg_sleep(0); RETURN 1; END $$;
    `);
  }
  folders = tempDir('polystore-catalog-store-');
});
test.after(() => {
  db.drop();
  other.drop();
  folders.remove();
});

/** A source with its own folder, as the registry gives each one. */
function source(options: { sourceId?: string; database?: TestDatabase; workDir?: string } = {}): ConnectionSpec<'postgres'> {
  const workDir = options.workDir ?? fs.mkdtempSync(path.join(folders.path, `source-${++folderCount}-`));
  return { ...pgSpec((options.database ?? db).name, { sourceId: options.sourceId ?? `pg-source-${folderCount}`, settings: { trustedFunctionSchemas: ['trusted_fns'] } }), workDir };
}

/** Validates in a new connector, as a new CLI process would, and closes it. */
async function validateInNewProcess(spec: ConnectionSpec<'postgres'>, query: string) {
  const connector = createPostgresConnector();
  try {
    return await connector.validate(query, spec, never);
  } finally {
    await connector.close();
  }
}

const storeFile = (spec: ConnectionSpec) => path.join(spec.workDir, CATALOG_STORE_FILE);

interface StoredFile {
  fingerprint: string;
  readAt: number;
  key: { sourceId: string };
  snapshot: { functions: { name: string[]; volatility: string[] } };
}

function editStore(spec: ConnectionSpec, edit: (stored: StoredFile) => void): void {
  const stored = JSON.parse(fs.readFileSync(storeFile(spec), 'utf8')) as StoredFile;
  edit(stored);
  fs.writeFileSync(storeFile(spec), JSON.stringify(stored));
}

/** Marks upper() VOLATILE in the stored catalog: only a connector deciding from the stored file refuses it. */
const refuseUpper = (stored: StoredFile) => {
  const { name, volatility } = stored.snapshot.functions;
  name.forEach((n, i) => {
    if (n === 'upper') volatility[i] = 'v';
  });
};

const UPPER = 'SELECT upper(name) FROM artist LIMIT 3';

/** A source whose store was written by a first process and then edited to refuse upper(). */
async function sourceWithMarkedStore(options: Parameters<typeof source>[0] = {}): Promise<ConnectionSpec<'postgres'>> {
  const spec = source(options);
  assert.ok((await validateInNewProcess(spec, UPPER)).allowed);
  editStore(spec, refuseUpper);
  return spec;
}

test('a new process decides from the stored catalog while the server catalog is unchanged', async () => {
  const spec = await sourceWithMarkedStore();
  const verdict = await validateInNewProcess(spec, UPPER);
  assert.is(verdict.allowed, false, 'the stored catalog was not used');
  assert.ok(verdict.reasons.some((r) => r.code === 'FORBIDDEN_FUNCTION'));
});

test('the stored file holds no password and only its owner may read it', async () => {
  const spec = source();
  await validateInNewProcess(spec, 'SELECT 1');
  const text = fs.readFileSync(storeFile(spec), 'utf8');
  assert.not.ok(text.includes(spec.password!), 'the password was stored');
  assert.is(fs.statSync(storeFile(spec)).mode & 0o077, 0);
});

test('a function changed on the server after the catalog was stored is judged as it is now (ALTER to VOLATILE is refused)', async () => {
  const spec = source();
  assert.ok((await validateInNewProcess(spec, 'SELECT trusted_fns.add_one(1)')).allowed);
  db.sql(`CREATE OR REPLACE FUNCTION trusted_fns.add_one(int) RETURNS int LANGUAGE sql VOLATILE AS 'SELECT $1 + 1'`);
  try {
    const verdict = await validateInNewProcess(spec, 'SELECT trusted_fns.add_one(1)');
    assert.is(verdict.allowed, false, 'a stale stored catalog still allowed the now VOLATILE function');
    assert.ok(verdict.reasons.some((r) => r.code === 'FORBIDDEN_FUNCTION'));
  } finally {
    db.sql(`CREATE OR REPLACE FUNCTION trusted_fns.add_one(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 + 1'`);
  }
});

test('any catalog change on the server (a new table) means a fresh read', async () => {
  const spec = await sourceWithMarkedStore();
  db.sql('CREATE TABLE catalog_store_probe (id int)');
  try {
    assert.ok((await validateInNewProcess(spec, UPPER)).allowed, 'the stored catalog was used after the catalog changed');
  } finally {
    db.sql('DROP TABLE catalog_store_probe');
  }
});

test('a catalog stored under another server version is read again', async () => {
  const spec = await sourceWithMarkedStore();
  editStore(spec, (stored) => {
    const [version, ...rest] = JSON.parse(stored.fingerprint) as [string, ...unknown[]];
    stored.fingerprint = JSON.stringify([String(Number(version) - 10_000), ...rest]);
  });
  assert.ok((await validateInNewProcess(spec, UPPER)).allowed, 'a catalog from another server version was used');
});

test('a stored catalog is never used for another source, nor after the source moved to another database', async () => {
  const spec = await sourceWithMarkedStore();
  // Another source given this folder's file (same server and database, so the fingerprint matches).
  const copy = source({ sourceId: 'another-source' });
  fs.copyFileSync(storeFile(spec), storeFile(copy));
  assert.ok((await validateInNewProcess(copy, UPPER)).allowed, "another source's stored catalog was used");
  // The same source, its connection edited to another database.
  const moved = source({ sourceId: spec.sourceId, database: other, workDir: spec.workDir });
  editStore(spec, refuseUpper);
  assert.ok((await validateInNewProcess(moved, UPPER)).allowed, "the old database's stored catalog was used");
});

test('a stored catalog older than the cache TTL, or dated in the future, is read again', async () => {
  const old = await sourceWithMarkedStore();
  editStore(old, (stored) => void (stored.readAt = Date.now() - CATALOG_TTL_MS - 1_000));
  assert.ok((await validateInNewProcess(old, UPPER)).allowed, 'an expired stored catalog was used');
  const future = await sourceWithMarkedStore();
  editStore(future, (stored) => void (stored.readAt = Date.now() + 60 * 60_000));
  assert.ok((await validateInNewProcess(future, UPPER)).allowed, 'a stored catalog dated in the future was used');
});

test('a damaged or foreign stored file is ignored and replaced by a fresh read', async () => {
  const cases: Array<(spec: ConnectionSpec) => void> = [
    (spec) => fs.writeFileSync(storeFile(spec), '{"format":1,'),
    (spec) => editStore(spec, (stored) => void (stored.snapshot.functions.volatility.length = 1)),
    (spec) => editStore(spec, (stored) => void (stored.snapshot.functions.volatility[0] = 'x')),
    (spec) => editStore(spec, (stored) => void Object.assign(stored, { format: 99 })),
  ];
  for (const damage of cases) {
    const spec = await sourceWithMarkedStore();
    damage(spec);
    assert.ok((await validateInNewProcess(spec, UPPER)).allowed);
    // Rewritten by that read: the next process uses it again.
    editStore(spec, refuseUpper);
    assert.is((await validateInNewProcess(spec, UPPER)).allowed, false);
  }
});

const ATTACKS: Array<[string, VerdictReasonCode]> = [
  [`SELECT pg_read_file('/etc/hostname')`, 'FILE_ACCESS'],
  ['SELECT pg_sleep(5)', 'FORBIDDEN_FUNCTION'],
  ['SELECT pg_advisory_lock(42)', 'FORBIDDEN_FUNCTION'],
  ['SELECT setseed(0.5)', 'FORBIDDEN_FUNCTION'],
  [`SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, ''b''::tsquery')`, 'FORBIDDEN_FUNCTION'],
  ["SELECT query_to_xml('DELETE FROM invoice_line RETURNING 1', true, false, '')", 'FORBIDDEN_FUNCTION'],
  ["SELECT table_to_xml('pg_authid', true, false, '')", 'FORBIDDEN_FUNCTION'],
  ["SELECT current_setting('data_directory')", 'FORBIDDEN_FUNCTION'],
  ['SELECT lying_immutable()', 'FORBIDDEN_FUNCTION'],
  ['SELECT * FROM pg_authid', 'FORBIDDEN_RELATION'],
  ['SELECT name, setting FROM pg_settings', 'FORBIDDEN_RELATION'],
  ['SELECT query FROM pg_stat_activity', 'FORBIDDEN_RELATION'],
  ['SELECT * FROM no_such_table', 'FORBIDDEN_RELATION'],
];

test('what a fresh read refuses, the stored catalog refuses too, with the same reasons', async () => {
  const spec = source();
  const fresh = createPostgresConnector();
  const fromStore = createPostgresConnector();
  try {
    const freshVerdicts = [];
    for (const [query] of ATTACKS) freshVerdicts.push(await fresh.validate(query, spec, never));
    assert.ok(fs.existsSync(storeFile(spec)), 'nothing was stored');
    editStore(spec, refuseUpper);
    assert.is((await fromStore.validate(UPPER, spec, never)).allowed, false, 'the second connector did not use the stored catalog');
    for (const [i, [query, code]] of ATTACKS.entries()) {
      const verdict = await fromStore.validate(query, spec, never);
      assert.is(verdict.allowed, false, query);
      assert.ok(verdict.reasons.some((r) => r.code === code), `${query}: ${JSON.stringify(verdict.reasons)}`);
      assert.equal(verdict.reasons, freshVerdicts[i]!.reasons, query);
    }
  } finally {
    await Promise.all([fresh.close(), fromStore.close()]);
  }
});

test('a source folder that cannot be written only costs the next process a read', async () => {
  const spec = { ...source(), workDir: path.join(folders.path, 'missing', 'folder') };
  assert.ok((await validateInNewProcess(spec, UPPER)).allowed);
  assert.is((await validateInNewProcess(spec, 'SELECT pg_sleep(1)')).allowed, false);
});

test.run();
