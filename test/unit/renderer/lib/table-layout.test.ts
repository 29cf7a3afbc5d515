import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MIN_COLUMN_PX } from '../../../../renderer/src/lib/result-grid';
import { DEFAULT_PAGING, EMPTY_LAYOUT, KEPT_LAYOUTS, MAX_RESIZED_PX, loadLayout, loadPaging, parseLayout, parsePaging, saveLayout, savePaging, toggleHidden, withWidth } from '../../../../renderer/src/lib/table-layout';

/** localStorage's three calls over a Map. */
function memoryStore() {
  const map = new Map<string, string>();
  return { map, getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
}

const NAMES = ['track_id', 'name', 'composer'];

test('a saved layout comes back for its result only', () => {
  const store = memoryStore();
  const layout = withWidth(toggleHidden(EMPTY_LAYOUT, 'composer', NAMES), 'name', 300);
  saveLayout(store, 'r1', layout);
  assert.equal(loadLayout(store, 'r1'), { widths: { name: 300 }, hidden: ['composer'] });
  assert.equal(loadLayout(store, 'r2'), EMPTY_LAYOUT);
});

test('the last visible column cannot be hidden; hiding twice shows it again', () => {
  let layout = toggleHidden(EMPTY_LAYOUT, 'track_id', NAMES);
  layout = toggleHidden(layout, 'name', NAMES);
  assert.equal(layout.hidden, ['track_id', 'name']);
  assert.is(toggleHidden(layout, 'composer', NAMES), layout, 'composer stays');
  assert.equal(toggleHidden(layout, 'name', NAMES).hidden, ['track_id']);
});

test('widths are clamped to what can still be read and grabbed; null goes back to the automatic width', () => {
  assert.is(withWidth(EMPTY_LAYOUT, 'name', 3).widths.name, MIN_COLUMN_PX);
  assert.is(withWidth(EMPTY_LAYOUT, 'name', 1e6).widths.name, MAX_RESIZED_PX);
  assert.equal(withWidth(withWidth(EMPTY_LAYOUT, 'name', 200), 'name', null).widths, {});
});

test('a stored value that is not a layout (edited, from an old version) reads as none', () => {
  for (const text of ['{', 'null', '42', '"x"', '[]']) assert.equal(parseLayout(text), EMPTY_LAYOUT, text);
  assert.equal(parseLayout('{"widths":{"a":"wide","b":120,"c":null},"hidden":["x",3]}'), { widths: { b: 120 }, hidden: ['x'] });
});

test(`only the last ${KEPT_LAYOUTS} results keep a layout; opening one again makes it recent`, () => {
  const store = memoryStore();
  for (let i = 0; i < KEPT_LAYOUTS; i++) saveLayout(store, `r${i}`, EMPTY_LAYOUT);
  saveLayout(store, 'r0', EMPTY_LAYOUT);
  saveLayout(store, 'new', EMPTY_LAYOUT);
  assert.ok(store.map.has('polystore.table.r0'), 'r0 was saved again');
  assert.not.ok(store.map.has('polystore.table.r1'), 'r1 was the oldest');
  assert.is([...store.map.keys()].filter((k) => k.startsWith('polystore.table.')).length, KEPT_LAYOUTS);
});

test('the choice of pages and their size is one for every result, and outlives the layouts forgotten', () => {
  const store = memoryStore();
  assert.equal(loadPaging(store), DEFAULT_PAGING, 'tables scroll until the user picks pages');
  savePaging(store, { view: 'pages', pageSize: 25 });
  for (let i = 0; i <= KEPT_LAYOUTS; i++) saveLayout(store, `r${i}`, EMPTY_LAYOUT);
  assert.equal(loadPaging(store), { view: 'pages', pageSize: 25 });
});

test('a stored paging choice that is not ours falls back field by field', () => {
  assert.equal(parsePaging('{"view":"pages","pageSize":7}'), { view: 'pages', pageSize: DEFAULT_PAGING.pageSize });
  assert.equal(parsePaging('{"view":"sideways","pageSize":500}'), { view: 'scroll', pageSize: 500 });
  assert.equal(parsePaging('not json'), DEFAULT_PAGING);
  assert.equal(parsePaging(null), DEFAULT_PAGING);
});

test.run();
