import { flushSync, giveSize, render, typeInto, waitFor, type Rendered } from '../../../support/svelte/dom';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResultColumn } from '../../../../engine/contract/index';
import { ColumnReader, encodeColumns, type Cells } from '../../../../engine/contract/result-columns';

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

/** Mounts the table; `keep` keeps what the last table remembered (the paging choice). */
function mountTable(rows: unknown[][] = ROWS, extra: { truncated?: boolean } = {}, keep = false) {
  if (!keep) localStorage.clear();
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

/** The row numbers on screen, and each row's aria-rowindex (the number + 1 for the header row). */
function rowNumbers(view: Rendered<unknown>): { shown: string[]; rowIndexes: string[] } {
  const rows = [...view.target.querySelectorAll<HTMLElement>('[data-testid="result-row"]')];
  return { shown: rows.map((r) => r.querySelector('[data-testid="row-number"]')!.textContent!), rowIndexes: rows.map((r) => r.getAttribute('aria-rowindex')!) };
}

function byTestId<T extends HTMLElement = HTMLElement>(view: Rendered<unknown>, id: string): T | null {
  return view.target.querySelector<T>(`[data-testid="${id}"]`);
}

function text(view: Rendered<unknown>, id: string): string {
  return byTestId(view, id)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

function showPages(view: Rendered<unknown>, size: number): void {
  click(view.target.querySelector<HTMLElement>('[data-testid="table-view-option"][data-view="pages"]')!);
  const select = byTestId<HTMLSelectElement>(view, 'page-size')!;
  select.value = String(size);
  select.dispatchEvent(new window.Event('change', { bubbles: true }));
  flushSync();
}

function press(view: Rendered<unknown>, key: string): boolean {
  const event = new window.KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
  byTestId(view, 'full-result')!.dispatchEvent(event);
  flushSync();
  return event.defaultPrevented;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
const SIXTY = Array.from({ length: 60 }, (_, i) => [i + 1, `row ${i + 1}`, (i * 1.5).toFixed(2)]);

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

test('a table scrolls until the user picks pages; no pager then', () => {
  const view = mountTable(SIXTY);
  assert.is(view.target.querySelector('[data-testid="table-view-option"][data-view="scroll"]')!.getAttribute('aria-checked'), 'true');
  assert.not.ok(byTestId(view, 'pager'));
  assert.ok(ids(view).length < 60, 'one long list, drawn as far as the scroll box shows (and a few more)');
  view.destroy();
});

test('pages: page-size rows, next, previous, last and first; row numbers stay absolute; buttons stop at the ends', () => {
  const view = mountTable(SIXTY);
  showPages(view, 25);
  const pager = byTestId(view, 'pager')!;
  assert.is(pager.tagName, 'NAV');
  assert.is(pager.getAttribute('aria-label'), 'Pages of Orders');
  assert.equal(ids(view), range(1, 25));
  assert.is(text(view, 'page-status'), 'Page 1 of 3');
  assert.is(text(view, 'page-rows'), 'Rows 1–25 of 60');
  assert.ok(byTestId<HTMLButtonElement>(view, 'page-first')!.disabled && byTestId<HTMLButtonElement>(view, 'page-previous')!.disabled, 'nothing before page 1');
  assert.is(byTestId(view, 'page-next')!.getAttribute('aria-label'), 'Next page');

  click(byTestId(view, 'page-next')!);
  assert.equal(ids(view), range(26, 50));
  assert.equal(rowNumbers(view), { shown: range(26, 50), rowIndexes: range(27, 51) });
  assert.is(text(view, 'page-status'), 'Page 2 of 3');

  click(byTestId(view, 'page-last')!);
  assert.equal(ids(view), range(51, 60));
  assert.is(text(view, 'page-rows'), 'Rows 51–60 of 60');
  assert.ok(byTestId<HTMLButtonElement>(view, 'page-next')!.disabled && byTestId<HTMLButtonElement>(view, 'page-last')!.disabled, 'nothing after the last page');

  click(byTestId(view, 'page-previous')!);
  assert.equal(ids(view), range(26, 50));
  click(byTestId(view, 'page-first')!);
  assert.equal(ids(view), range(1, 25));
  view.destroy();
});

test('a new page size keeps the first row read on screen', () => {
  const view = mountTable(SIXTY);
  showPages(view, 25);
  click(byTestId(view, 'page-last')!);
  const select = byTestId<HTMLSelectElement>(view, 'page-size')!;
  select.value = '50';
  select.dispatchEvent(new window.Event('change', { bubbles: true }));
  flushSync();
  assert.is(text(view, 'page-status'), 'Page 2 of 2', 'row 51 is on page 2 of 50 rows');
  assert.equal(ids(view), range(51, 60));
  view.destroy();
});

test('PageDown and PageUp on the table turn pages; scrolling, they are left to the browser', () => {
  const scrolling = mountTable(SIXTY);
  assert.not.ok(press(scrolling, 'PageDown'), 'scroll mode keeps the key');
  scrolling.destroy();

  const view = mountTable(SIXTY);
  showPages(view, 25);
  assert.is(byTestId(view, 'full-result')!.getAttribute('aria-keyshortcuts'), 'PageUp PageDown');
  assert.ok(press(view, 'PageDown'));
  assert.is(text(view, 'page-status'), 'Page 2 of 3');
  press(view, 'PageDown');
  press(view, 'PageDown');
  assert.is(text(view, 'page-status'), 'Page 3 of 3', 'stops at the last page');
  press(view, 'PageUp');
  assert.equal(ids(view), range(26, 50));
  view.destroy();
});

test('a filter goes back to page 1 of what it kept', async () => {
  const view = mountTable(SIXTY);
  showPages(view, 25);
  click(byTestId(view, 'page-last')!);
  // A filter every row matches still starts again at page 1.
  typeInto(byTestId<HTMLInputElement>(view, 'table-filter')!, 'row');
  await waitFor('the filter to apply', () => text(view, 'filter-count') === '60 of 60 rows');
  assert.is(text(view, 'page-status'), 'Page 1 of 3');
  click(byTestId(view, 'page-last')!);
  typeInto(byTestId<HTMLInputElement>(view, 'table-filter')!, 'row 1');
  await waitFor('the filter to apply', () => text(view, 'page-rows') === 'Rows 1–11 of 11');
  assert.equal(ids(view), ['1', ...range(10, 19)]);
  assert.is(text(view, 'page-status'), 'Page 1 of 1');
  typeInto(byTestId<HTMLInputElement>(view, 'table-filter')!, 'nothing like this');
  await waitFor('no rows', () => text(view, 'page-rows') === 'No rows');
  assert.is(text(view, 'page-status'), 'Page 1 of 1');
  view.destroy();
});

test('a sort goes back to page 1, which shows the new first rows; the export still has every row', () => {
  const view = mountTable(SIXTY);
  showPages(view, 25);
  click(byTestId(view, 'page-next')!);
  click(header(view, 'id'));
  click(header(view, 'id'));
  assert.is(text(view, 'page-status'), 'Page 1 of 3');
  assert.equal(ids(view), range(36, 60).reverse());
  const exported = (view.component as unknown as { displayedRows(): Cells }).displayedRows();
  assert.is(exported.rowCount, 60, 'all pages');
  assert.equal([exported.get(0, 0), exported.get(59, 0)], [60, 1], 'in the order shown');
  view.destroy();
});

test('pages and their size are remembered for the next table', () => {
  const first = mountTable(SIXTY);
  showPages(first, 25);
  first.destroy();
  const next = mountTable(ROWS, {}, true);
  assert.is(next.target.querySelector('[data-testid="table-view-option"][data-view="pages"]')!.getAttribute('aria-checked'), 'true');
  assert.is(byTestId<HTMLSelectElement>(next, 'page-size')!.value, '25');
  assert.is(text(next, 'page-rows'), 'Rows 1–5 of 5');
  next.destroy();
});

test.run();
