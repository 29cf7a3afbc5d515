import { EJSON } from 'bson';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MongoQueryDocument } from '../../../../engine/connectors/mongodb/query-document';
import { ordersMetadata, shopMetadata } from '../../../fixtures/planner/metadata';
import { answer, includesAll, sql } from './helpers';

const mysqlShop = shopMetadata({ style: 'pascal' });
const duckShop = shopMetadata({ sourceType: 'file' });
const orders = ordersMetadata();

test('identifiers: double quotes on PostgreSQL and DuckDB, backticks on MySQL, embedded quotes doubled', () => {
  includesAll(sql('how many invoice lines'), ['FROM "public"."invoice_line" AS il']);
  includesAll(sql('how many invoice lines', { metadata: mysqlShop, dialect: 'mysql' }), ['FROM `shop`.`InvoiceLine` AS il']);
  includesAll(sql('how many invoice lines', { metadata: duckShop, dialect: 'duckdb' }), ['FROM "invoice_line" AS il']);
});

test('time buckets use each dialect’s date functions', () => {
  const question = 'revenue per month';
  includesAll(sql(question), [`CAST(date_trunc('month', i."invoice_date") AS date)`]);
  includesAll(sql(question, { metadata: mysqlShop, dialect: 'mysql' }), ["CAST(DATE_FORMAT(i.`InvoiceDate`, '%Y-%m-01') AS DATE)"]);
  includesAll(sql(question, { metadata: duckShop, dialect: 'duckdb' }), [`CAST(date_trunc('month', i."invoice_date") AS DATE)`]);
  includesAll(sql('invoices per year', { metadata: mysqlShop, dialect: 'mysql' }), ['YEAR(i.`InvoiceDate`) AS `year`']);
  includesAll(sql('invoices per week', { metadata: mysqlShop, dialect: 'mysql' }), ['DATE_SUB(DATE(i.`InvoiceDate`), INTERVAL WEEKDAY(i.`InvoiceDate`) DAY)']);
  includesAll(sql('how many invoices in June', { metadata: mysqlShop, dialect: 'mysql' }), ['MONTH(i.`InvoiceDate`) = 6']);
  includesAll(sql('how many invoices in June', { metadata: duckShop, dialect: 'duckdb' }), ['month(i."invoice_date") = 6']);
});

test('case-insensitive matching: ILIKE on PostgreSQL and DuckDB, LOWER … LIKE on MySQL, wildcards escaped', () => {
  includesAll(sql(`tracks containing '100%_sure'`), [`t."name" ILIKE '%100!%!_sure%' ESCAPE '!'`]);
  includesAll(sql(`tracks containing 'love'`, { metadata: mysqlShop, dialect: 'mysql' }), ["LOWER(t.`Name`) LIKE LOWER('%love%') ESCAPE '!'"]);
  includesAll(sql(`tracks containing 'love'`, { metadata: duckShop, dialect: 'duckdb' }), [`t."name" ILIKE '%love%' ESCAPE '!'`]);
});

test('string literals are escaped for each dialect: quotes doubled everywhere, backslashes doubled on MySQL', () => {
  includesAll(sql(`customers whose last name starts with "O'Re\\illy"`), [`ILIKE 'O''Re\\illy%'`]);
  includesAll(sql(`customers whose last name starts with "O'Re\\illy"`, { metadata: mysqlShop, dialect: 'mysql' }), [`LOWER('O''Re\\\\illy%')`]);
});

test('division never truncates: numeric on PostgreSQL, plain / on MySQL and DuckDB', () => {
  includesAll(sql('average track length in minutes'), ['CAST(AVG(t."milliseconds") AS numeric) / 60000']);
  includesAll(sql('average track length in minutes', { metadata: mysqlShop, dialect: 'mysql' }), ['AVG(t.`Milliseconds`) / 60000']);
  includesAll(sql('average track length in minutes', { metadata: duckShop, dialect: 'duckdb' }), ['AVG(t."milliseconds") / 60000']);
});

test('listings always carry a LIMIT of at most the row limit, in every SQL dialect', () => {
  for (const [metadata, dialect] of [[shopMetadata(), 'postgres'], [mysqlShop, 'mysql'], [duckShop, 'duckdb']] as const) {
    for (const question of ['list all tracks', 'top 50 customers by total spent', 'which countries do customers come from', 'number of tracks per genre']) {
      const query = sql(question, { metadata, dialect, rowLimit: 20 });
      const limit = /LIMIT (\d+)$/.exec(query);
      assert.ok(limit && Number(limit[1]) <= 20, `${dialect}: ${query}`);
    }
  }
});

test('both / but not: each side is read whole, and the order and row limit apply to the combined rows, in every SQL dialect', () => {
  for (const [metadata, dialect] of [[shopMetadata(), 'postgres'], [mysqlShop, 'mysql'], [duckShop, 'duckdb']] as const) {
    for (const [question, op] of [
      ['Which countries have customers but not employees?', 'EXCEPT'],
      ['Which countries have both customers and employees?', 'INTERSECT'],
    ] as const) {
      const query = sql(question, { metadata, dialect, rowLimit: 20 });
      // A LIMIT on the second side of EXCEPT would leave in rows it should take out.
      const [first, second] = query.split(` ${op} `);
      assert.ok(first && second, `${dialect}: no ${op} in ${query}`);
      assert.not.match(first!, /LIMIT/, `${dialect}: ${query}`);
      assert.ok(second!.endsWith(') ORDER BY 1 ASC LIMIT 20'), `${dialect}: ${query}`);
      assert.is(second!.match(/LIMIT/g)?.length, 1, `${dialect}: ${query}`);
    }
  }
});

const mongo = (question: string, rowLimit = 50) => {
  const result = answer(question, { metadata: orders, dialect: 'mongodb', rowLimit });
  const parsed = MongoQueryDocument.parse(EJSON.parse(result.query, { relaxed: true }));
  return { text: result.query, doc: parsed };
};

test('MongoDB: a count is a count operation with the filter', () => {
  const { doc } = mongo('how many shipped orders are there');
  assert.equal(doc, { collection: 'orders', database: 'shop', operation: 'count', filter: { status: 'shipped' } });
});

test('MongoDB: dates are Extended JSON, regexes are escaped, nested fields use their dotted path', () => {
  const { text } = mongo('how many orders in 2023 from France');
  const json = JSON.parse(text);
  assert.equal(json.filter.createdAt, { $gte: { $date: '2023-01-01T00:00:00Z' }, $lt: { $date: '2024-01-01T00:00:00Z' } });
  assert.is(json.filter['customer.country'], 'France');
  const like = JSON.parse(mongo(`orders whose order number starts with 'A.1'`).text);
  assert.equal(like.filter.orderNumber, { $regex: '^A\\.1', $options: 'i' });
});

test('MongoDB: listings are find with projection, sort and a limit within the row limit', () => {
  const { doc } = mongo('the 5 largest orders by amount', 3);
  assert.is(doc.operation, 'find');
  if (doc.operation === 'find') {
    // Ties keep the key order, so the same question lists the same documents every time.
    assert.equal(doc.sort, { amount: -1, _id: 1 });
    assert.is(doc.limit, 3);
  }
});

test('MongoDB: groupings are an aggregate with $group, $sort and $limit; arrays are unwound; buckets use $dateTrunc', () => {
  const perStatus = mongo('total amount per status').doc;
  assert.is(perStatus.operation, 'aggregate');
  if (perStatus.operation === 'aggregate') {
    assert.equal(perStatus.pipeline[0], { $group: { _id: { status: '$status' }, total_amount: { $sum: '$amount' } } });
    assert.equal(perStatus.pipeline.at(-1), { $limit: 50 });
  }
  const perTag = JSON.parse(mongo('number of orders per tag').text);
  assert.equal(perTag.pipeline[0], { $unwind: '$tags' });
  const perMonth = JSON.parse(mongo('orders per month').text);
  assert.equal(perMonth.pipeline[0].$group._id.month, { $dateTrunc: { date: '$createdAt', unit: 'month' } });
});

test('MongoDB: booleans and distinct values', () => {
  assert.equal(mongo('how many paid orders').doc, { collection: 'orders', database: 'shop', operation: 'count', filter: { paid: true } });
  const distinct = JSON.parse(mongo('which statuses do orders have').text);
  assert.equal(distinct.pipeline.slice(0, 2), [{ $group: { _id: '$status' } }, { $sort: { _id: 1 } }]);
});

test.run();
