import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { columnTitle, displayCell, formatNumber } from '../../../../renderer/src/lib/result-format';
import { compareCells, compareKeys, sortKey } from '../../../../renderer/src/lib/result-sort';

test('headers read as words; the raw name stays for the hover', () => {
  assert.is(columnTitle('avg_milliseconds_min'), 'Avg milliseconds min');
  assert.is(columnTitle('UnitPrice'), 'Unit price');
  assert.is(columnTitle('address.city'), 'Address city');
  assert.is(columnTitle('_'), '_');
});

test('numbers are rounded and grouped, with the exact value on hover; ids and years are not grouped', () => {
  const avg = displayCell('48.5297173076923077', 'decimal', 'avg_total');
  assert.is(avg.text, '48.53');
  assert.is(avg.raw, '48.5297173076923077');
  assert.is(displayCell(1234567, 'integer', 'bytes').text, '1,234,567');
  assert.is(displayCell(2021, 'integer', 'year').text, '2021');
  assert.is(displayCell(1234, 'integer', 'customer_id').text, '1234');
  assert.is(displayCell('9007199254740993', 'integer', 'n').text, '9007199254740993', 'beyond 2^53 the exact text is kept');
  assert.is(displayCell(5, 'integer', 'n').raw, null, 'no hover when nothing changed');
  assert.is(formatNumber(0.000123), '0.000123');
});

test('dates in the locale, raw ISO on hover; nulls marked', () => {
  const d = displayCell('2021-01-01', 'date', 'day');
  assert.is(d.kind, 'date');
  assert.match(d.text, /2021/);
  assert.is(d.raw, '2021-01-01');
  assert.is(displayCell(null, 'string', 'x').kind, 'null');
});

test('sorting compares by type: numbers by value (also exact text), dates by time, text naturally', () => {
  const sort = (values: unknown[], type: Parameters<typeof compareCells>[2]) => [...values].sort((a, b) => compareCells(a, b, type));
  assert.equal(sort(['10.5', '9', '100'], 'decimal'), ['9', '10.5', '100']);
  assert.equal(sort(['90071992547409930', '9007199254740993'], 'integer'), ['9007199254740993', '90071992547409930']);
  assert.equal(sort(['2021-02-01', '2020-12-31', '2021-01-15'], 'date'), ['2020-12-31', '2021-01-15', '2021-02-01']);
  assert.equal(sort(['item 10', 'Item 2', 'item 1'], 'string'), ['item 1', 'Item 2', 'item 10']);
  assert.equal(sort([true, false], 'boolean'), [false, true]);
});

test('sort keys are computed once per cell and order the same way as comparing cells', () => {
  const cases: Array<[unknown[], Parameters<typeof compareCells>[2]]> = [
    [['10.5', '9', '100', '-3'], 'decimal'],
    [['90071992547409930', '9007199254740993'], 'integer'],
    [['2021-02-01', '2020-12-31', '2021-01-15'], 'date'],
    [['item 10', 'Item 2', 'item 1'], 'string'],
    [[true, false], 'boolean'],
  ];
  for (const [values, type] of cases) {
    const byCells = [...values].sort((a, b) => compareCells(a, b, type));
    const byKeys = [...values].sort((a, b) => compareKeys(sortKey(a, type)!, sortKey(b, type)!));
    assert.equal(byKeys, byCells, type);
  }
  assert.is(sortKey(null, 'integer'), undefined);
});

test.run();
