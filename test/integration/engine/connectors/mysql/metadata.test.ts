import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MetadataDocument, MetadataObject } from '../../../../../engine/contract/index';
import { MetadataDocument as MetadataDocumentSchema } from '../../../../../engine/contract/index';
import { createMysqlConnector } from '../../../../../engine/connectors/mysql/connector';
import { SAMPLE_RULES } from '../../../../../engine/connectors/shared/sampling';
import type { Connector } from '../../../../../engine/connectors/types';
import { createMysqlDatabase, type TestDatabase } from '../../../../support/databases';
import { mysqlSpec, never } from './support';

let db: TestDatabase;
let connector: Connector;
let doc: MetadataDocument;

const objects = () => doc.databases[0]!.schemas[0]!.objects;
const object = (name: string): MetadataObject => {
  const found = objects().find((o) => o.name === name);
  assert.ok(found, `${name} is missing`);
  return found!;
};
const field = (table: string, name: string) => {
  const found = object(table).fields.find((f) => f.name === name);
  assert.ok(found, `${table}.${name} is missing`);
  return found!;
};

test.before(async () => {
  db = createMysqlDatabase('chinook');
  db.sql(`
    CREATE TABLE Target (Country VARCHAR(40), Year INT, Channel ENUM('web','store','phone'), Notes JSON, Amount DECIMAL(10,2),
                         PRIMARY KEY (Country, Year)) COMMENT 'Sales targets';
    CREATE TABLE TargetNote (Country VARCHAR(40), Year INT, Note TEXT COMMENT 'Free text',
                             FOREIGN KEY (Country, Year) REFERENCES Target (Country, Year));
    INSERT INTO Target VALUES ('Brazil', 2024, 'web', '{}', 100), ('Canada', 2024, 'store', NULL, 50), ('Canada', 2025, 'store', NULL, 70);
    CREATE TABLE Big (Id INT PRIMARY KEY, Label VARCHAR(40));
    INSERT INTO Big SELECT seq, CONCAT('label ', seq % 10) FROM seq_1_to_100000;
    CREATE VIEW RockTracks AS SELECT t.* FROM Track t JOIN Genre g ON g.GenreId = t.GenreId WHERE g.Name = 'Rock';
    CREATE SEQUENCE NotATable;
    ANALYZE TABLE Album, Artist, Customer, Employee, Genre, Invoice, InvoiceLine, MediaType, Playlist, PlaylistTrack, Track, Target, Big;
  `);
  connector = createMysqlConnector();
  doc = await connector.fetchMetadata(mysqlSpec(db.name), never);
});
test.after(async () => {
  await connector.close();
  db.drop();
});

test('the document validates against the contract: one database, one schema-less schema', () => {
  MetadataDocumentSchema.parse(doc);
  assert.is(doc.sourceType, 'mysql');
  assert.match(doc.serverVersion ?? '', /MariaDB|^MySQL/);
  assert.is(doc.databases.length, 1);
  assert.is(doc.databases[0]!.name, db.name);
  assert.equal(doc.databases[0]!.schemas.map((s) => s.name), [null]);
});

test('all 11 Chinook tables and the view, with their kinds; sequences are not tables', () => {
  const chinook = ['Album', 'Artist', 'Customer', 'Employee', 'Genre', 'Invoice', 'InvoiceLine', 'MediaType', 'Playlist', 'PlaylistTrack', 'Track'];
  const tables = objects().filter((o) => o.kind === 'table').map((o) => o.name);
  for (const name of chinook) assert.ok(tables.includes(name), `${name} missing`);
  assert.is(object('RockTracks').kind, 'view');
  assert.is(object('RockTracks').rowEstimate, null);
  assert.not.ok(objects().some((o) => o.name === 'NotATable'));
});

test('primary keys, single-column foreign keys on the field and every foreign key on the table', () => {
  assert.is(field('Track', 'TrackId').primaryKey, true);
  assert.is(field('Track', 'Name').primaryKey, false);
  assert.equal(field('Track', 'AlbumId').foreignKey, { schema: null, table: 'Album', column: 'AlbumId' });
  assert.equal(field('InvoiceLine', 'InvoiceId').foreignKey, { schema: null, table: 'Invoice', column: 'InvoiceId' });
  assert.equal(field('Employee', 'ReportsTo').foreignKey, { schema: null, table: 'Employee', column: 'EmployeeId' });
  const fks = object('Track').foreignKeys.map((fk) => `${fk.columns.join()}->${fk.refTable}.${fk.refColumns.join()}`).sort();
  assert.equal(fks, ['AlbumId->Album.AlbumId', 'GenreId->Genre.GenreId', 'MediaTypeId->MediaType.MediaTypeId']);
  assert.equal(object('PlaylistTrack').fields.filter((f) => f.primaryKey).map((f) => f.name), ['PlaylistId', 'TrackId']);
});

test('a composite foreign key is listed on the table, not on its fields', () => {
  assert.equal(object('TargetNote').foreignKeys, [{ columns: ['Country', 'Year'], refSchema: null, refTable: 'Target', refColumns: ['Country', 'Year'] }]);
  assert.is(field('TargetNote', 'Country').foreignKey, null);
});

test('types are normalized with native types; JSON is recognised on MariaDB; comments come through', () => {
  assert.is(field('Track', 'TrackId').type, 'integer');
  assert.is(field('Track', 'Name').type, 'string');
  assert.is(field('Track', 'Name').nativeType, 'varchar(200)');
  assert.is(field('Track', 'UnitPrice').type, 'decimal');
  assert.is(field('Track', 'UnitPrice').nativeType, 'decimal(10,2)');
  assert.is(field('Invoice', 'InvoiceDate').type, 'timestamp');
  assert.is(field('Target', 'Channel').type, 'string');
  assert.is(field('Target', 'Notes').type, 'json');
  assert.is(field('Track', 'Name').nullable, false);
  assert.is(field('Track', 'Composer').nullable, true);
  assert.is(object('Target').comment, 'Sales targets');
  assert.is(field('TargetNote', 'Note').comment, 'Free text');
  assert.is(object('Track').comment, null);
});

test('row estimates come from the table statistics', () => {
  const near = (actual: number | null, expected: number) => actual !== null && Math.abs(actual - expected) <= expected * 0.2;
  assert.ok(near(object('Track').rowEstimate, 3503), String(object('Track').rowEstimate));
  assert.ok(near(object('Genre').rowEstimate, 25), String(object('Genre').rowEstimate));
  assert.ok(near(object('Big').rowEstimate, 100000), String(object('Big').rowEstimate));
});

test('short text columns of small tables get sample values, most frequent first', () => {
  const genres = field('Genre', 'Name').sampleValues;
  assert.is(genres.length, SAMPLE_RULES.maxValues);
  for (const g of ['Rock', 'Jazz', 'Metal', 'Blues']) assert.ok(genres.includes(g), `${g} missing from ${genres.join(', ')}`);
  assert.equal(field('Target', 'Channel').sampleValues, ['store', 'web']);
  assert.equal(field('Target', 'Country').sampleValues, ['Canada', 'Brazil']);
  assert.equal(field('Track', 'TrackId').sampleValues, []);
  assert.equal(field('Target', 'Notes').sampleValues, []);
});

test('tables larger than the sampling budget are not sampled', () => {
  assert.equal(field('Big', 'Label').sampleValues, []);
});

test('a row limit from an earlier query does not cut the metadata short', async () => {
  await connector.execute(mysqlSpec(db.name), 'SELECT 1', { maxRows: 1, timeoutMs: 5_000, signal: never });
  const again = await connector.fetchMetadata(mysqlSpec(db.name), never);
  assert.is(again.databases[0]!.schemas[0]!.objects.length, objects().length);
  assert.is(again.databases[0]!.schemas[0]!.objects.find((o) => o.name === 'Track')!.fields.length, 9);
});

test.run();
