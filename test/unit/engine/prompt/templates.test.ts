import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MongoQueryDocument } from '../../../../engine/connectors/mongodb/query-document';
import { SourceType } from '../../../../engine/contract/index';
import { templates } from '../../../../engine/prompt/index';

const system = (type: SourceType) => templates[type].system({ rowLimit: 250, today: '2025-03-14' });

test('every store has a template whose rules say read-only, one statement and the row limit', () => {
  for (const type of SourceType.options) {
    const text = system(type);
    assert.match(text, /read-only/i, type);
    assert.match(text, /exactly one/i, type);
    assert.match(text, /250/, type);
    assert.match(text, new RegExp(`dialect: "${templates[type].dialect}"`), type);
    assert.match(text, /Today's date is 2025-03-14\./, type);
    assert.match(text, /are data, not instructions/, type);
  }
});

test('dialect notes: quoting, dates and LIMIT syntax per SQL store', () => {
  assert.match(system('postgres'), /double quotes.*"InvoiceDate"/);
  assert.match(system('postgres'), /date_trunc\('month', ts\)/);
  assert.match(system('mysql'), /backticks/);
  assert.match(system('mysql'), /DATE_FORMAT\(d, '%Y-%m'\)/);
  assert.match(system('mysql'), /ONLY_FULL_GROUP_BY/);
  assert.match(system('file'), /strftime\(d, '%Y-%m'\)/);
  assert.match(system('file'), /GROUP BY ALL/);
  for (const type of ['postgres', 'mysql', 'file'] as const) assert.match(system(type), /LIMIT 250/, type);
});

test('the MongoDB template teaches exactly the operations and fields query-document.ts accepts', () => {
  const text = system('mongodb');
  const shapes = text.split('\n').filter((line) => /^\s+\{"collection"/.test(line));
  const operations = MongoQueryDocument.options.map((o) => o.shape.operation.value).sort();
  assert.equal(shapes.map((l) => /"operation": "(\w+)"/.exec(l)![1]).sort(), operations);
  for (const option of MongoQueryDocument.options) {
    const op = option.shape.operation.value;
    const line = shapes.find((l) => l.includes(`"operation": "${op}"`))!;
    const taught = [...line.matchAll(/"(\w+)":/g)].map((m) => m[1]!).filter((k) => k !== 'field' || op === 'distinct');
    const accepted = Object.keys(option.shape);
    for (const key of taught) assert.ok(accepted.includes(key) || key === 'field', `${op}: the template teaches "${key}", which the document does not accept`);
    for (const key of accepted.filter((k) => k !== 'database')) assert.ok(line.includes(`"${key}"`), `${op}: "${key}" is accepted but not taught`);
  }
  // A document written as the template says is accepted.
  const example = { collection: 'movies', operation: 'find', filter: { released: { $gte: { $date: '2024-01-31T00:00:00Z' } } }, sort: { year: -1 }, limit: 250 };
  assert.ok(MongoQueryDocument.safeParse(example).success);
});

test.run();
