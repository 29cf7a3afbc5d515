/**
 * PostgreSQL catalogs for tests. Unit tests (no server) use a snapshot read
 * from a real PostgreSQL 15 with the Chinook and Pagila databases, stored
 * compactly in test/fixtures/postgres/catalog.json; integration tests read the
 * live catalog. Regenerate the snapshot with:
 *
 *   node --import tsx test/support/pg-catalog.ts --write
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pgPolicy, type PgPolicy } from '../../engine/connectors/postgres/allow-list';
import { indexCatalog, readPgCatalog, type PgCatalog, type PgCatalogSnapshot, type PgFunction, type PgRelation } from '../../engine/connectors/postgres/catalog';
import { PgSource } from '../../engine/connectors/postgres/pools';
import type { MetadataDocument } from '../../engine/contract/index';
import { SourceSettings } from '../../engine/contract/index';
import { createPgDatabase, PG } from './databases';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/postgres/catalog.json');

/** A live catalog through the connector's own reader. */
export async function readLiveCatalog(database: string): Promise<PgCatalogSnapshot> {
  const source = new PgSource({
    sourceId: `catalog-${database}`,
    type: 'postgres',
    connection: { host: PG.host, port: PG.port, database, user: PG.user, tls: { mode: 'prefer' }, connectTimeoutMs: 5_000 },
    password: null,
    settings: SourceSettings.parse({}),
    workDir: '/nonexistent',
  });
  try {
    return await readPgCatalog(source, new AbortController().signal);
  } finally {
    await source.close();
  }
}

// Compact rows: the fixture is read by every unit test that validates PostgreSQL.
type FunctionTuple = [number, string, string, number, number, 0 | 1, PgFunction['volatility'], PgFunction['kind'], 0 | 1, string | null, 0 | 1, number[]];
interface Stored {
  database: string;
  searchPath: string[];
  functions: FunctionTuple[];
  operators: Array<[string, string, 0 | 1, number]>;
  relations: Array<[string, string, string, string | null, number[]?]>;
  types: Array<[number, string, string, string, number[], number[]]>;
}

function encode(s: PgCatalogSnapshot): Stored {
  return {
    database: s.database,
    searchPath: s.searchPath,
    functions: s.functions.map((f) => [f.oid, f.schema, f.name, f.nargs, f.ndefaults, f.variadic ? 1 : 0, f.volatility, f.kind, f.retset ? 1 : 0, f.extension, f.rowArg ? 1 : 0, f.argTypes]),
    operators: s.operators.map((o) => [o.schema, o.name, o.prefix ? 1 : 0, o.fn]),
    relations: s.relations.map((r) => (r.functions ? [r.schema, r.name, r.kind, r.extension, r.functions] : [r.schema, r.name, r.kind, r.extension])),
    types: s.types.map((t) => [t.oid, t.schema, t.name, t.kind, t.inner, t.functions]),
  };
}

function decode(s: Stored): PgCatalogSnapshot {
  return {
    database: s.database,
    searchPath: s.searchPath,
    functions: s.functions.map(([oid, schema, name, nargs, ndefaults, variadic, volatility, kind, retset, extension, rowArg, argTypes]) => ({
      oid, schema, name, nargs, ndefaults, variadic: variadic === 1, volatility, kind, retset: retset === 1, extension, rowArg: rowArg === 1, argTypes,
    })),
    operators: s.operators.map(([schema, name, prefix, fn]) => ({ schema, name, prefix: prefix === 1, fn })),
    relations: s.relations.map(([schema, name, kind, extension, functions]) => ({ schema, name, kind, extension, ...(functions ? { functions } : {}) })),
    types: s.types.map(([oid, schema, name, kind, inner, functions]) => ({ oid, schema, name, kind, inner, functions })),
  };
}

let stored: PgCatalogSnapshot | null = null;

/** The stored snapshot (PostgreSQL 15, Chinook and Pagila in public); a fresh copy each call. */
export function fixtureSnapshot(): PgCatalogSnapshot {
  stored ??= decode(JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Stored);
  return structuredClone(stored);
}

/** Tables and views of a metadata document, as catalog relations (for planner tests on invented schemas). */
export function metadataRelations(metadata: MetadataDocument): PgRelation[] {
  return metadata.databases.flatMap((db) =>
    db.schemas.flatMap((schema) => schema.objects.map((o) => ({ schema: schema.name ?? 'public', name: o.name, kind: o.kind === 'view' ? 'v' : o.kind === 'materialized_view' ? 'm' : 'r', extension: null }))),
  );
}

const catalogs = new Map<string, PgCatalog>();

/** The fixture catalog, with extra relations; indexed once per set of extras. */
export function fixtureCatalog(extraRelations: PgRelation[] = []): PgCatalog {
  const key = JSON.stringify(extraRelations);
  let catalog = catalogs.get(key);
  if (!catalog) {
    const snapshot = fixtureSnapshot();
    snapshot.relations.push(...extraRelations);
    catalogs.set(key, (catalog = indexCatalog(snapshot)));
  }
  return catalog;
}

/** A policy over the fixture catalog. */
export function fixturePolicy(options: { relations?: PgRelation[]; trustedSchemas?: string[] } = {}): PgPolicy {
  return pgPolicy(fixtureCatalog(options.relations), options.trustedSchemas ?? []);
}

/** Builds the fixture: pg_catalog from a Chinook database, plus Pagila's objects in public. */
async function writeFixture(): Promise<void> {
  const chinook = createPgDatabase('chinook');
  const pagila = createPgDatabase('pagila');
  try {
    const a = await readLiveCatalog(chinook.name);
    const b = await readLiveCatalog(pagila.name);
    const own = <T extends { schema: string }>(items: T[]) => items.filter((i) => i.schema === 'public');
    const names = new Set(a.relations.map((r) => `${r.schema}.${r.name}`));
    const snapshot: PgCatalogSnapshot = {
      database: 'fixture',
      searchPath: a.searchPath,
      functions: [...a.functions, ...own(b.functions)],
      operators: [...a.operators, ...own(b.operators)],
      relations: [...a.relations, ...own(b.relations).filter((r) => !names.has(`${r.schema}.${r.name}`))],
      types: [...a.types, ...own(b.types)],
    };
    fs.mkdirSync(path.dirname(FIXTURE), { recursive: true });
    fs.writeFileSync(FIXTURE, `${JSON.stringify(encode(snapshot))}\n`);
    console.log(`wrote ${FIXTURE}: ${snapshot.functions.length} functions, ${snapshot.operators.length} operators, ${snapshot.relations.length} relations, ${snapshot.types.length} types`);
  } finally {
    chinook.drop();
    pagila.drop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) await writeFixture();
