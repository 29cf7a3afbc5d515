import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MetadataDocument, MetadataField } from '../../../../engine/contract/index';
import { countObjects, filterMetadata } from '../../../../renderer/src/lib/metadata-tree';

const field = (name: string, nativeType = 'text'): MetadataField => ({
  name, type: 'string', nativeType, nullable: true, primaryKey: false, foreignKey: null, comment: null, presence: null, observedTypes: [], sampleValues: [],
});
const doc: MetadataDocument = {
  sourceId: 's', sourceType: 'postgres', serverVersion: null, fetchedAt: 'now', cached: false,
  databases: [{ name: 'chinook', schemas: [{ name: 'public', objects: [
    { name: 'InvoiceLine', kind: 'table', rowEstimate: 2240, comment: null, origin: null, foreignKeys: [], fields: [field('InvoiceLineId', 'int4'), field('UnitPrice', 'numeric')] },
    { name: 'customer', kind: 'table', rowEstimate: 59, comment: 'People who bought music', origin: null, foreignKeys: [], fields: [field('first_name'), field('billing_country')] },
  ] }] }],
};

test('an empty search shows everything', () => {
  assert.is(filterMetadata(doc, '').length, 2);
  assert.equal(countObjects(doc), { tables: 2, fields: 4 });
});

test('table names match across case and underscores; a table match keeps all its fields', () => {
  const [hit] = filterMetadata(doc, 'invoice line');
  assert.is(hit?.object.name, 'InvoiceLine');
  assert.is(hit?.fields.length, 2);
  assert.is(filterMetadata(doc, 'invoiceline')[0]?.object.name, 'InvoiceLine');
  assert.is(filterMetadata(doc, 'music')[0]?.object.name, 'customer');
});

test('otherwise only matching fields are kept', () => {
  const [hit] = filterMetadata(doc, 'country');
  assert.is(hit?.object.name, 'customer');
  assert.equal(hit?.fields.map((f) => f.name), ['billing_country']);
  assert.is(hit?.matched, 'fields');
  assert.equal(filterMetadata(doc, 'numeric')[0]?.fields.map((f) => f.name), ['UnitPrice']);
  assert.equal(filterMetadata(doc, 'nothing like this'), []);
});

test.run();
