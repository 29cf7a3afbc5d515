import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pickSampleColumns, sampleRank, SAMPLE_RULES } from '../../../../../engine/connectors/shared/sampling';

const col = (name: string, text = true) => ({ name, text });
const isText = (c: { text: boolean }) => c.text;

test('columns people filter on are sampled before names, emails and addresses', () => {
  const customer = {
    sizeBytes: 10_000,
    readable: true,
    columns: ['customer_id', 'first_name', 'last_name', 'company', 'address', 'city', 'state', 'country', 'postal_code', 'phone', 'email', 'support_rep_id'].map((n) =>
      col(n, !n.endsWith('_id')),
    ),
  };
  const picked = pickSampleColumns([customer], isText).map(([, c]) => c.name);
  assert.equal(picked, ['city', 'state', 'country', 'first_name', 'last_name'].slice(0, SAMPLE_RULES.maxColumnsPerTable));
  assert.ok(picked.includes('country'), 'Chinook customer.country must be sampled for "customers from Brazil"');
  assert.is(sampleRank('BillingCountry'), 2);
  assert.is(sampleRank('genre_name'), 2);
  assert.is(sampleRank('Email'), 0);
});

test('large or unreadable tables are not sampled, and the document-wide cap holds', () => {
  const big = { sizeBytes: SAMPLE_RULES.maxTableBytes + 1, readable: true, columns: [col('status')] };
  const hidden = { sizeBytes: 10, readable: false, columns: [col('status')] };
  assert.equal(pickSampleColumns([big, hidden], isText), []);
  const many = Array.from({ length: 60 }, () => ({ sizeBytes: 10, readable: true, columns: [col('a'), col('b'), col('c')] }));
  assert.is(pickSampleColumns(many, isText).length, SAMPLE_RULES.maxColumns);
});

test.run();
