import path from 'node:path';
import type { Document } from 'bson';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMongoConnector } from '../../../../../engine/connectors/mongodb/connector';
import type { Connector } from '../../../../../engine/connectors/types';
import type { MetadataDocument, MetadataField, MetadataObject } from '../../../../../engine/contract/index';
import { MetadataDocument as MetadataDocumentSchema } from '../../../../../engine/contract/metadata.contract';
import { loadSampleData, mongoTestdataDir, readSampleFile } from '../../../../support/mongo-wire/fixtures';
import { startMongoWireServer, type MongoWireServer } from '../../../../support/mongo-wire/server';
import { mongoSpec } from '../../../../support/mongo-wire/specs';

let server: MongoWireServer;
let connector: Connector;
const signal = new AbortController().signal;
const metadata = new Map<string, MetadataDocument>();

async function collection(db: string, name: string, sampleSize = 1_000): Promise<MetadataObject> {
  const key = `${db}/${sampleSize}`;
  if (!metadata.has(key)) {
    metadata.set(key, await connector.fetchMetadata(mongoSpec(server, { connection: { database: db }, settings: { sampleSize }, sourceId: key }), signal));
  }
  const objects = metadata.get(key)!.databases[0]!.schemas[0]!.objects;
  const found = objects.find((o) => o.name === name);
  assert.ok(found, `${db}.${name} missing from ${objects.map((o) => o.name).join(', ')}`);
  return found;
}

function field(object: MetadataObject, name: string): MetadataField {
  const found = object.fields.find((f) => f.name === name);
  assert.ok(found, `${object.name}.${name} missing from ${object.fields.map((f) => f.name).join(', ')}`);
  return found;
}

const sample = (file: string) => readSampleFile(path.join(mongoTestdataDir, file));
const share = (docs: Document[], has: (d: Document) => boolean) => docs.filter(has).length / docs.length;

test.before(async () => {
  server = await startMongoWireServer();
  loadSampleData(server);
  connector = createMongoConnector();
});

test.after(async () => {
  await connector?.close();
  await server?.close();
});

test('the document has the source database, its collections with estimated counts, and validates against the contract', async () => {
  const doc = await connector.fetchMetadata(mongoSpec(server, { connection: { database: 'sample_mflix' } }), signal);
  MetadataDocumentSchema.parse(doc);
  assert.is(doc.sourceType, 'mongodb');
  assert.is(doc.serverVersion, '7.0.14');
  assert.equal(doc.databases.map((d) => d.name), ['sample_mflix']);
  assert.is(doc.databases[0]!.schemas[0]!.name, null);
  const objects = doc.databases[0]!.schemas[0]!.objects;
  assert.equal(objects.map((o) => [o.name, o.kind, o.rowEstimate]), [
    ['sessions', 'collection', 1],
    ['theaters', 'collection', 1564],
    ['users', 'collection', 185],
  ]);
});

test('nested documents give dotted paths with presence and nullability (sample_mflix.theaters)', async () => {
  const theaters = await collection('sample_mflix', 'theaters', 5_000);
  const docs = sample('sample_mflix/theaters.json');
  const city = field(theaters, 'location.address.city');
  assert.is(city.type, 'string');
  assert.is(city.presence, 1);
  assert.is(city.nullable, false);
  const street2 = field(theaters, 'location.address.street2');
  assert.is(street2.presence, share(docs, (d) => 'street2' in d.location.address));
  assert.ok(street2.presence! < 1);
  assert.is(street2.nullable, true);
  const nulls = docs.filter((d) => d.location.address.street2 === null).length;
  assert.equal(street2.observedTypes.find((t) => t.type === 'null')?.count, nulls);
  assert.ok(nulls > 0);
  const coordinates = field(theaters, 'location.geo.coordinates');
  assert.is(coordinates.type, 'array');
  assert.is(coordinates.nativeType, 'array<double>');
  assert.equal(field(theaters, 'location.geo.type').sampleValues, ['Point']);
});

test('_id is the primary key; numbers keep their BSON type', async () => {
  const accounts = await collection('sample_analytics', 'accounts');
  const id = field(accounts, '_id');
  assert.is(id.primaryKey, true);
  assert.is(id.type, 'objectId');
  assert.is(id.nullable, false);
  assert.is(field(accounts, 'limit').primaryKey, false);
  assert.is(field(accounts, 'limit').type, 'integer');
  assert.equal(field(accounts, 'limit').observedTypes, [{ type: 'int', count: 1_000 }]);
  assert.is(accounts.fields[0]!.name, '_id');
});

test('generated keys collapse to *: sample_analytics.customers tier_and_details.*.tier', async () => {
  const customers = await collection('sample_analytics', 'customers');
  const docs = sample('sample_analytics/customers.json');
  const tier = field(customers, 'tier_and_details.*.tier');
  assert.is(tier.type, 'string');
  assert.is(tier.presence, share(docs, (d) => Object.keys(d.tier_and_details).length > 0));
  const tiers = new Set(docs.flatMap((d) => Object.values(d.tier_and_details as Record<string, { tier: string }>).map((t) => t.tier)));
  assert.equal([...tier.sampleValues].sort(), [...tiers].sort());
  assert.not.ok(customers.fields.some((f) => /tier_and_details\.[0-9a-f]{32}/.test(f.name)), 'no field per generated key');
  assert.is(field(customers, 'accounts').nativeType, 'array<int>');
  assert.is(field(customers, 'birthdate').type, 'timestamptz');
});

test('arrays of documents give paths through the array, with sample values for short categories (samples.inventory)', async () => {
  const inventory = await collection('samples', 'inventory', 5_000);
  const docs = sample('inventory.json');
  const letter = field(inventory, 'rating.letter');
  assert.is(letter.type, 'string');
  assert.is(letter.presence, share(docs, (d) => Array.isArray(d.rating) && d.rating.some((r: Document) => 'letter' in r)));
  assert.equal([...letter.sampleValues].sort(), ['A', 'B', 'C', 'D']);
  assert.is(field(inventory, 'rating').nativeType, 'array<object>');
  assert.is(field(inventory, 'rating.score').type, 'integer');
  const status = field(inventory, 'status');
  const counts = new Map<string, number>();
  for (const d of docs) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
  assert.equal(status.sampleValues, [...counts].sort((a, b) => b[1] - a[1]).map(([v]) => v), 'most frequent first');
  assert.equal(field(inventory, 'item').sampleValues, [], 'names are not categories');
  assert.equal(field(inventory, 'size.uom').sampleValues.length, new Set(docs.map((d) => d.size.uom)).size);
  const lastModified = field(inventory, 'lastModified');
  assert.is(lastModified.presence, share(docs, (d) => 'lastModified' in d));
  assert.is(lastModified.nullable, lastModified.presence! < 1);
});

test('mixed types: the dominant type wins when it covers 80%, observed types are all listed (samples.air_airlines)', async () => {
  const airlines = await collection('samples', 'air_airlines', 10_000);
  const docs = sample('air_airlines.json');
  const alias = field(airlines, 'alias');
  const aliasTypes = new Set(docs.map((d) => typeof d.alias));
  assert.ok(aliasTypes.size > 1, 'the file really mixes types');
  assert.is(alias.type, 'string');
  assert.is(alias.observedTypes.reduce((n, t) => n + t.count, 0), docs.length);
  assert.ok(alias.nativeType.includes('|'));
  assert.equal(field(airlines, 'active').sampleValues.length, new Set(docs.map((d) => d.active)).size);
});

test('the sample size setting bounds what is read: $sample with that size', async () => {
  const before = server.commandLog.length;
  const zips = await collection('sample_training', 'zips', 50);
  const samples = server.commandLog.slice(before).filter((c) => c.name === 'aggregate');
  assert.equal(samples.map((c) => c.command.pipeline), [[{ $sample: { size: 50 } }]]);
  assert.is(zips.rowEstimate, 29_470);
  assert.is(field(zips, 'loc.x').observedTypes.reduce((n, t) => n + t.count, 0), 50);
  assert.is(field(zips, 'city').presence, 1);
});

test.run();
