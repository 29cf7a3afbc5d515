import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MetadataDocument, MetadataField, MetadataObject } from '../../../../engine/contract/index';
import { exampleQuestions, humanize, plural } from '../../../../renderer/src/lib/chat-examples';

function field(name: string, type: MetadataField['type'], extra: Partial<MetadataField> = {}): MetadataField {
  return { name, type, nativeType: type, nullable: true, primaryKey: false, foreignKey: null, comment: null, presence: null, observedTypes: [], sampleValues: [], ...extra };
}
const fk = (table: string, column: string) => ({ foreignKey: { schema: 'public', table, column } });
function table(name: string, fields: MetadataField[]): MetadataObject {
  return { name, kind: 'table', rowEstimate: null, comment: null, fields, foreignKeys: [], origin: null };
}
function doc(objects: MetadataObject[]): MetadataDocument {
  return { sourceId: 'src_1', sourceType: 'postgres', serverVersion: null, fetchedAt: '2026-01-01T00:00:00Z', databases: [{ name: 'db', schemas: [{ name: 'public', objects }] }], cached: false };
}

// A Chinook-shaped schema: artists have albums, albums have tracks, tracks sit on playlists.
const chinook = doc([
  table('artist', [field('artist_id', 'integer', { primaryKey: true }), field('name', 'string')]),
  table('album', [field('album_id', 'integer', { primaryKey: true }), field('title', 'string'), field('artist_id', 'integer', fk('artist', 'artist_id'))]),
  table('track', [field('track_id', 'integer', { primaryKey: true }), field('name', 'string'), field('album_id', 'integer', fk('album', 'album_id')), field('unit_price', 'decimal')]),
  table('playlist_track', [field('playlist_id', 'integer', { primaryKey: true, ...fk('playlist', 'playlist_id') }), field('track_id', 'integer', { primaryKey: true, ...fk('track', 'track_id') })]),
  table('playlist', [field('playlist_id', 'integer', { primaryKey: true }), field('name', 'string')]),
  table('customer', [field('customer_id', 'integer', { primaryKey: true }), field('city', 'string'), field('country', 'string'), field('support_rep_id', 'integer', fk('customer', 'customer_id'))]),
]);

test('table names read as English', () => {
  assert.is(humanize('InvoiceLine'), 'invoice line');
  assert.is(humanize('media_type'), 'media type');
  assert.is(plural('invoice line'), 'invoice lines');
  assert.is(plural('category'), 'categories');
  assert.is(plural('address'), 'addresses');
  assert.is(plural('orders'), 'orders');
  assert.is(plural('box'), 'boxes');
});

test('examples cover a count, a ranking along a key, a breakdown and an average', () => {
  const questions = exampleQuestions(chinook);
  assert.is(questions.length, 4);
  assert.ok(questions.some((q) => /^How many \w+ are there\?$/.test(q)), questions.join(' | '));
  assert.ok(questions.includes('Top 10 artists by number of albums'), questions.join(' | '));
  assert.ok(questions.includes('How many customers per country?'), questions.join(' | '));
  assert.ok(questions.includes('What is the average unit price of tracks?'), questions.join(' | '));
});

test('link tables and self-references do not make odd suggestions', () => {
  const questions = exampleQuestions(chinook, 10).join(' | ');
  assert.not.match(questions, /playlist tracks/);
  assert.not.match(questions, /customers by number of customers/);
});

test('an empty schema suggests nothing rather than nonsense', () => {
  assert.equal(exampleQuestions(doc([])), []);
});

test.run();
