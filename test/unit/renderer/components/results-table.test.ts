import { flushSync, giveSize, render, typeInto, waitFor, type Rendered } from '../../../support/svelte/dom';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResultColumn } from '../../../../engine/contract/index';
import { ColumnReader, encodeColumns } from '../../../../engine/contract/result-columns';

const { default: ResultsTable } = await import('../../../../renderer/src/components/ResultsTable.svelte');

// The table draws only the rows its scroll box can show; jsdom's boxes measure 0, so give this one room for 40 rows.
giveSize('[data-testid="full-result"]', { width: 900, height: 40 * 32 });

const COLUMNS: ResultColumn[] = [
  { name: 'id', type: 'integer', nativeType: 'int4' },
  { name: 'name', type: 'string', nativeType: 'text' },
  // Decimals arrive as text and still sort as numbers.
  { name: 'amount', type: 'decimal', nativeType: 'numeric' },
];
const ROWS = [
  [1, 'Bravo', '10.50'],
  [2, 'alpha', '9.25'],
  [3, null, '100.00'],
  [4, 'Charlie', null],
  [5, 'alpha', '9.25'],
];

function mountTable(rows: unknown[][] = ROWS, extra: { truncated?: boolean } = {}) {
  const cells = new ColumnReader(encodeColumns(rows, COLUMNS.length));
  return render(ResultsTable, { columns: COLUMNS, cells, label: 'Orders', ...extra });
}

/** The id column of the rows on screen, top to bottom. */
function ids(view: Rendered<unknown>): string[] {
  return [...view.target.querySelectorAll<HTMLElement>('[data-testid="result-row"]')].map((row) => row.querySelectorAll('[role="cell"]')[1]!.textContent!);
}

function header(view: Rendered<unknown>, column: string): HTMLButtonElement {
  return view.target.querySelector<HTMLButtonElement>(`[data-testid="column-header"][data-column="${column}"]`)!;
}

function ariaSort(view: Rendered<unknown>, column: string): string | null {
  return view.target.querySelector(`[data-testid="column-cell"][data-column="${column}"]`)!.getAttribute('aria-sort');
}

function click(element: HTMLElement): void {
  element.click();
  flushSync();
}

test('rows show in fetched order until a header is clicked', () => {
  const view = mountTable();
  assert.equal(ids(view), ['1', '2', '3', '4', '5']);
  assert.is(ariaSort(view, 'amount'), 'none');
  view.destroy();
});

test('a header click sorts by value (decimals as numbers), again reverses, a third goes back; nulls stay last', () => {
  const view = mountTable();
  click(header(view, 'amount'));
  assert.equal(ids(view), ['2', '5', '1', '3', '4'], '9.25 and 9.25 keep their fetched order, 100.00 after 10.50, the null last');
  assert.is(ariaSort(view, 'amount'), 'ascending');
  assert.is(ariaSort(view, 'id'), 'none');

  click(header(view, 'amount'));
  assert.equal(ids(view), ['3', '1', '2', '5', '4'], 'descending, ties still in fetched order, the null still last');
  assert.is(ariaSort(view, 'amount'), 'descending');

  click(header(view, 'amount'));
  assert.equal(ids(view), ['1', '2', '3', '4', '5']);
  assert.is(ariaSort(view, 'amount'), 'none');
  view.destroy();
});

test('numbers sort numerically, not as text', () => {
  const view = mountTable([[10, 'x', '1'], [9, 'y', '1'], [100, 'z', '1'], [-1, 'w', '1']]);
  click(header(view, 'id'));
  assert.equal(ids(view), ['-1', '9', '10', '100']);
  view.destroy();
});

test('text sorts as people sort it, case aside, with nulls last in both directions', () => {
  const view = mountTable();
  click(header(view, 'name'));
  assert.equal(ids(view), ['2', '5', '1', '4', '3']);
  click(header(view, 'name'));
  assert.equal(ids(view), ['4', '1', '2', '5', '3']);
  view.destroy();
});

test('sorting a truncated result says it orders only the fetched rows', () => {
  const view = mountTable(ROWS, { truncated: true });
  assert.not.ok(view.target.querySelector('[data-testid="sort-note"]'), 'no note before a sort');
  click(header(view, 'id'));
  const note = view.target.querySelector('[data-testid="sort-note"]');
  assert.ok(note, 'the note appears');
  assert.match(note!.textContent!, /5 fetched rows only/);
  view.destroy();

  const whole = mountTable(ROWS, { truncated: false });
  click(header(whole, 'id'));
  assert.not.ok(whole.target.querySelector('[data-testid="sort-note"]'), 'a complete result needs no note');
  whole.destroy();
});

test('the quick filter keeps matching rows and a sort applies to what it kept', async () => {
  const view = mountTable();
  typeInto(view.target.querySelector<HTMLInputElement>('[data-testid="table-filter"]')!, 'ALPHA');
  await waitFor('the filter to apply', () => ids(view).length === 2);
  assert.equal(ids(view), ['2', '5']);
  assert.match(view.target.querySelector('[data-testid="filter-count"]')!.textContent!, /2 of 5 rows/);
  click(header(view, 'id'));
  click(header(view, 'id'));
  assert.equal(ids(view), ['5', '2']);
  view.destroy();
});

test.run();
