import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MetadataDocument, MetadataObject } from '../../../../../engine/contract/index';
import { MetadataDocument as MetadataDocumentSchema } from '../../../../../engine/contract/index';
import { createPostgresConnector } from '../../../../../engine/connectors/postgres/connector';
import type { Connector } from '../../../../../engine/connectors/types';
import { SAMPLE_RULES } from '../../../../../engine/connectors/shared/sampling';
import { createPgDatabase, type TestDatabase } from '../../../../support/databases';
import { never, pgSpec } from './support';

let chinook: TestDatabase;
let pagila: TestDatabase;
let connector: Connector;
let doc: MetadataDocument;

const objects = (d: MetadataDocument, schema = 'public') => d.databases[0]!.schemas.find((s) => s.name === schema)?.objects ?? [];
const object = (name: string, schema = 'public'): MetadataObject => {
  const found = objects(doc, schema).find((o) => o.name === name);
  assert.ok(found, `${schema}.${name} is missing`);
  return found!;
};
const field = (table: string, name: string, schema = 'public') => {
  const found = object(table, schema).fields.find((f) => f.name === name);
  assert.ok(found, `${table}.${name} is missing`);
  return found!;
};

test.before(async () => {
  chinook = createPgDatabase('chinook');
  chinook.sql(`
    CREATE SCHEMA sales;
    CREATE TYPE sales.channel AS ENUM ('web', 'store', 'phone');
    CREATE TABLE sales.target (country varchar(40), year int, amount numeric(10,2), channel sales.channel, tags text[], notes jsonb,
                               PRIMARY KEY (country, year));
    CREATE TABLE sales.target_note (country varchar(40), year int, note text,
                                    FOREIGN KEY (country, year) REFERENCES sales.target (country, year));
    CREATE TABLE sales.big (id int PRIMARY KEY, label text);
    INSERT INTO sales.target VALUES ('Brazil', 2024, 100, 'web', '{a,b}', '{}'), ('Canada', 2024, 50, 'store', NULL, NULL), ('Canada', 2025, 70, 'store', NULL, NULL);
    INSERT INTO sales.big SELECT g, 'label ' || (g % 10) FROM generate_series(1, 100000) g;
    CREATE VIEW rock_tracks AS SELECT t.* FROM track t JOIN genre g USING (genre_id) WHERE g.name = 'Rock';
    CREATE MATERIALIZED VIEW genre_counts AS SELECT genre_id, count(*) AS tracks FROM track GROUP BY genre_id;
    -- Reading it fails ("has not been populated"): it must not cost every other table its samples.
    CREATE MATERIALIZED VIEW genre_names_later AS SELECT name FROM genre WITH NO DATA;
    COMMENT ON TABLE album IS 'One row per album';
    COMMENT ON COLUMN album.title IS 'As printed on the cover';
    ANALYZE;
  `);
  pagila = createPgDatabase('pagila');
  pagila.sql('ANALYZE');
  connector = createPostgresConnector();
  doc = await connector.fetchMetadata(pgSpec(chinook.name), never);
});
test.after(async () => {
  await connector.close();
  chinook.drop();
  pagila.drop();
});

test('the document validates against the contract and names the source, server and database', () => {
  MetadataDocumentSchema.parse(doc);
  assert.is(doc.sourceType, 'postgres');
  assert.is(doc.sourceId, `pg-${chinook.name}`);
  assert.match(doc.serverVersion ?? '', /^PostgreSQL 1\d/);
  assert.is(doc.databases.length, 1);
  assert.is(doc.databases[0]!.name, chinook.name);
  assert.is(doc.cached, false);
  const schemas = doc.databases[0]!.schemas.map((s) => s.name);
  assert.equal(schemas.sort(), ['public', 'sales']);
});

test('all 11 Chinook tables, plus the view and the materialized view, with their kinds', () => {
  const tables = objects(doc).filter((o) => o.kind === 'table').map((o) => o.name);
  assert.equal(tables.sort(), ['album', 'artist', 'customer', 'employee', 'genre', 'invoice', 'invoice_line', 'media_type', 'playlist', 'playlist_track', 'track']);
  assert.is(object('rock_tracks').kind, 'view');
  assert.is(object('genre_counts').kind, 'materialized_view');
  assert.is(object('rock_tracks').rowEstimate, null);
});

test('primary keys, single-column foreign keys on the field and every foreign key on the table', () => {
  assert.is(field('track', 'track_id').primaryKey, true);
  assert.is(field('track', 'name').primaryKey, false);
  assert.equal(field('track', 'album_id').foreignKey, { schema: 'public', table: 'album', column: 'album_id' });
  assert.equal(field('invoice_line', 'invoice_id').foreignKey, { schema: 'public', table: 'invoice', column: 'invoice_id' });
  assert.equal(field('employee', 'reports_to').foreignKey, { schema: 'public', table: 'employee', column: 'employee_id' });
  const trackFks = object('track').foreignKeys.map((fk) => `${fk.columns.join()}->${fk.refTable}.${fk.refColumns.join()}`).sort();
  assert.equal(trackFks, ['album_id->album.album_id', 'genre_id->genre.genre_id', 'media_type_id->media_type.media_type_id']);
  assert.equal(
    object('playlist_track').fields.filter((f) => f.primaryKey).map((f) => f.name),
    ['playlist_id', 'track_id'],
  );
});

test('a composite foreign key is listed on the table, not on its fields', () => {
  assert.equal(object('target_note', 'sales').foreignKeys, [{ columns: ['country', 'year'], refSchema: 'sales', refTable: 'target', refColumns: ['country', 'year'] }]);
  assert.is(field('target_note', 'country', 'sales').foreignKey, null);
});

test('types are normalized and keep their native names; nullability and comments come through', () => {
  const expect: Array<[string, string, string, string]> = [
    ['track', 'track_id', 'integer', 'integer'],
    ['track', 'name', 'string', 'character varying(200)'],
    ['track', 'unit_price', 'decimal', 'numeric(10,2)'],
    ['invoice', 'invoice_date', 'timestamp', 'timestamp without time zone'],
    ['employee', 'birth_date', 'timestamp', 'timestamp without time zone'],
  ];
  for (const [table, column, type, native] of expect) {
    assert.is(field(table, column).type, type, `${table}.${column}`);
    assert.is(field(table, column).nativeType, native, `${table}.${column}`);
  }
  assert.is(field('sales.target'.split('.')[1]!, 'channel', 'sales').type, 'string');
  assert.is(field('target', 'channel', 'sales').nativeType, 'sales.channel');
  assert.is(field('target', 'tags', 'sales').type, 'array');
  assert.is(field('target', 'notes', 'sales').type, 'json');
  assert.is(field('track', 'name').nullable, false);
  assert.is(field('track', 'composer').nullable, true);
  assert.is(object('album').comment, 'One row per album');
  assert.is(field('album', 'title').comment, 'As printed on the cover');
  assert.is(field('album', 'album_id').comment, null);
});

test('row estimates come from the statistics after ANALYZE', () => {
  assert.is(object('track').rowEstimate, 3503);
  assert.is(object('genre').rowEstimate, 25);
  assert.is(object('invoice').rowEstimate, 412);
  assert.is(object('big', 'sales').rowEstimate, 100000);
});

test('short text columns of small tables get sample values, most frequent first', () => {
  const genres = field('genre', 'name').sampleValues;
  assert.is(genres.length, SAMPLE_RULES.maxValues);
  for (const g of ['Rock', 'Jazz', 'Metal', 'Blues']) assert.ok(genres.includes(g), `${g} missing from ${genres.join(', ')}`);
  assert.equal(field('media_type', 'name').sampleValues.length, 5);
  assert.equal(field('target', 'channel', 'sales').sampleValues, ['store', 'web']);
  assert.equal(field('target', 'country', 'sales').sampleValues, ['Canada', 'Brazil']);
  // Not text, or not short text: no samples.
  assert.equal(field('track', 'track_id').sampleValues, []);
  assert.equal(field('target', 'notes', 'sales').sampleValues, []);
});

test('tables larger than the sampling budget are not sampled', () => {
  assert.equal(field('big', 'label', 'sales').sampleValues, []);
});

test('Pagila: partitions are folded into their table, and the materialized view is listed', async () => {
  const pagilaDoc = await connector.fetchMetadata(pgSpec(pagila.name), never);
  const names = objects(pagilaDoc).map((o) => o.name);
  assert.ok(names.includes('payment'), names.join(', '));
  assert.not.ok(names.some((n) => /^payment_p\d/.test(n)), 'a partition is listed as a table');
  assert.is(objects(pagilaDoc).find((o) => o.name === 'rental_by_category')?.kind, 'materialized_view');
  const film = objects(pagilaDoc).find((o) => o.name === 'film')!;
  assert.is(film.fields.find((f) => f.name === 'special_features')?.type, 'array');
  assert.is(film.fields.find((f) => f.name === 'rating')?.type, 'string');
  assert.ok(film.fields.find((f) => f.name === 'rating')!.sampleValues.includes('PG-13'));
});

test('a role that may read only some tables sees all of them, but samples only what it can read', async () => {
  const role = `pst_meta_${process.pid}`;
  chinook.sql(`CREATE ROLE ${role} LOGIN; GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON album TO ${role}`);
  try {
    const limited = await connector.fetchMetadata(pgSpec(chinook.name, { connection: { user: role } }), never);
    const genre = objects(limited).find((o) => o.name === 'genre')!;
    assert.equal(genre.fields.find((f) => f.name === 'name')!.sampleValues, []);
    assert.ok(objects(limited).find((o) => o.name === 'album')!.fields.find((f) => f.name === 'title')!.sampleValues.length > 0);
  } finally {
    chinook.sql(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
  }
});

test('cancelling metadata discovery rejects with CANCELLED', async () => {
  const controller = new AbortController();
  controller.abort();
  try {
    await connector.fetchMetadata(pgSpec(chinook.name), controller.signal);
    assert.unreachable('should have been cancelled');
  } catch (error) {
    assert.is((error as { code?: string }).code, 'CANCELLED');
  }
});

test.run();
