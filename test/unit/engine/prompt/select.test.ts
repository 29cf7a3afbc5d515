import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPrompt, estimateTokens } from '../../../../engine/prompt/index';
import { chinookPostgres, col, doc, generatedSchema, table } from './fixtures';

const BIG = generatedSchema(1000);
const ask = (question: string, extra: Partial<Parameters<typeof buildPrompt>[0]> = {}) =>
  buildPrompt({ question, metadata: BIG, settings: { rowLimit: 100, allowSampleValues: true }, providerHosted: true, today: '2025-03-14', ...extra });

test('a large schema: the tables the question names come first, within the token budget', () => {
  const prompt = ask('total payment amount by country for open invoices');
  assert.is(prompt.schemaTruncated, true);
  assert.equal(prompt.tables.slice(0, 2).sort(), ['erp.finance.invoice', 'erp.hr.payment']);
  const schema = prompt.contextBlocks[0]!.text;
  assert.ok(estimateTokens(schema) <= 6_000 + 60, `schema block ${estimateTokens(schema)} tokens`);
  assert.match(schema, /^PostgreSQL 16\.4\. \d+ of 1000 tables, chosen for this question; others exist but are not shown\./);
  assert.ok(prompt.tables.length >= 5 && prompt.tables.length <= 60, `${prompt.tables.length} tables`);
});

test('stemming and case/underscore splitting match "Suppliers\u2019 warehouses" to supplier and warehouse', () => {
  const prompt = ask('Which Suppliers have Warehouses in Japan?');
  assert.ok(prompt.tables.indexOf('erp.finance.supplier') < 3 && prompt.tables.indexOf('erp.finance.supplier') >= 0, prompt.tables.slice(0, 5).join());
  assert.ok(prompt.tables.indexOf('erp.hr.warehouse') < 3 && prompt.tables.indexOf('erp.hr.warehouse') >= 0, prompt.tables.slice(0, 5).join());
});

test('a smaller budget keeps fewer tables and stays within it', () => {
  const small = ask('vehicle routes', { schemaTokenBudget: 800 });
  const large = ask('vehicle routes', { schemaTokenBudget: 4_000 });
  assert.ok(small.tables.length < large.tables.length);
  assert.ok(estimateTokens(small.contextBlocks[0]!.text) <= 800 + 60);
  assert.equal(small.tables.slice(0, 2).sort(), ['erp.finance.vehicle', 'erp.hr.route']);
});

test('foreign-key neighbours come along: a referenced lookup table and the junction between two matches', () => {
  const prompt = buildPrompt({
    question: 'Which playlists contain tracks by AC/DC?',
    metadata: chinookPostgres(),
    settings: { rowLimit: 100, allowSampleValues: true },
    providerHosted: false,
    schemaTokenBudget: 700,
  });
  assert.is(prompt.schemaTruncated, true);
  for (const t of ['playlist', 'playlist_track', 'track', 'artist']) assert.ok(prompt.tables.includes(`chinook.public.${t}`), `${t} in ${prompt.tables.join()}`);
  // artist is reached from track only through album.
  assert.ok(prompt.tables.includes('chinook.public.album'), prompt.tables.join());
});

test('a value in the sample values links the question to its table (when samples may be used)', () => {
  const metadata = doc('postgres', [
    {
      name: 'db',
      schemas: [
        {
          name: 'public',
          objects: [
            ...Array.from({ length: 300 }, (_, i) => table(`misc_${i}`, [col('id', 'integer', { pk: true }), col(`label_${i}`, 'text'), col('info', 'text', { comment: 'Free text describing the record in more detail than anyone needs' })])),
            table('zone_entity', [col('id', 'integer', { pk: true }), col('label', 'text', { samples: ['Brazil', 'Portugal'] })]),
          ],
        },
      ],
    },
  ]);
  const base = { question: 'How many rows are about Portugal?', metadata, settings: { rowLimit: 10, allowSampleValues: true }, schemaTokenBudget: 500 } as const;
  assert.is(buildPrompt({ ...base, providerHosted: false }).tables[0], 'db.public.zone_entity');
  // Without permission the values are not used at all, not even to choose tables.
  const hosted = buildPrompt({ ...base, providerHosted: true, settings: { rowLimit: 10, allowSampleValues: false } });
  assert.is.not(hosted.tables[0], 'db.public.zone_entity');
});

test('a follow-up keeps the tables the previous query used', () => {
  const first = ask('open invoices by country');
  assert.ok(first.tables.includes('erp.finance.invoice'));
  const followUp = ask('and only the ones over 1000?', {
    history: [{ question: 'open invoices by country', query: 'SELECT country, count(*) FROM finance.invoice WHERE status = \'open\' GROUP BY country', columns: ['country', 'count'], resultSummary: '12 rows' }],
  });
  assert.is(followUp.tables[0], 'erp.finance.invoice');
});

test('a table too wide for the budget is cut to its keys and the columns the question names', () => {
  const wide = table('telemetry', [
    col('telemetry_id', 'bigint', { pk: true }),
    ...Array.from({ length: 400 }, (_, i) => col(`reading_${i}`, 'double precision')),
    col('battery_voltage', 'double precision'),
    col('device_id', 'bigint', { fk: 'device.device_id' }),
  ]);
  const metadata = doc('postgres', [{ name: 'iot', schemas: [{ name: 'public', objects: [wide, table('device', [col('device_id', 'bigint', { pk: true })])] }] }]);
  const prompt = buildPrompt({ question: 'average battery voltage of telemetry', metadata, settings: { rowLimit: 10, allowSampleValues: true }, providerHosted: false, schemaTokenBudget: 400 });
  const schema = prompt.contextBlocks[0]!.text;
  assert.is(prompt.tables[0], 'iot.public.telemetry');
  assert.match(schema, /telemetry_id bigint PRIMARY KEY/);
  assert.match(schema, /battery_voltage double precision/);
  assert.match(schema, /device_id bigint REFERENCES device\(device_id\)/);
  assert.match(schema, /-- … \d+ more columns not shown/);
  assert.ok(estimateTokens(schema) <= 460, `${estimateTokens(schema)} tokens`);
});

test('a question that matches nothing still gets the most connected tables', () => {
  const prompt = ask('zzz qqq', { schemaTokenBudget: 1_000 });
  assert.ok(prompt.tables.length > 0);
  assert.ok(estimateTokens(prompt.contextBlocks[0]!.text) <= 1_060);
});

test('one database of several can be chosen', () => {
  const metadata = doc('mysql', [
    { name: 'shop', schemas: [{ name: null, objects: [table('orders', [col('id', 'int', { pk: true })])] }] },
    { name: 'crm', schemas: [{ name: null, objects: [table('contacts', [col('id', 'int', { pk: true })])] }] },
  ]);
  const both = buildPrompt({ question: 'x', metadata, settings: { rowLimit: 10, allowSampleValues: false }, providerHosted: true });
  assert.match(both.contextBlocks[0]!.text, /CREATE TABLE shop\.orders/);
  const one = buildPrompt({ question: 'x', metadata, settings: { rowLimit: 10, allowSampleValues: false }, providerHosted: true, database: 'crm' });
  assert.equal(one.tables, ['crm.contacts']);
  assert.match(one.contextBlocks[0]!.text, /CREATE TABLE contacts \(/);
});

test.run();
