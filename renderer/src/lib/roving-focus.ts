/**
 * One Tab stop per row: the row's items (its link, then its action buttons)
 * share a single tabindex="0"; the arrow keys move it along the row. Tab then
 * goes from row to row instead of through every button of every row.
 */

const ITEM = '[data-roving]';

/** Which item the key moves to (the items that can take focus now), or null for a key that is not ours. */
export function nextRovingIndex(current: number, key: string, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case 'ArrowRight':
      return current < 0 ? 0 : (current + 1) % count;
    case 'ArrowLeft':
      return current < 0 ? count - 1 : (current - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

function items(row: HTMLElement): HTMLElement[] {
  return [...row.querySelectorAll<HTMLElement>(ITEM)].filter((el) => !(el as HTMLButtonElement).disabled);
}

function makeCurrent(row: HTMLElement, target: HTMLElement): void {
  for (const el of row.querySelectorAll<HTMLElement>(ITEM)) el.tabIndex = el === target ? 0 : -1;
}

/** keydown on a row: arrows move focus among its items. */
export function rovingKeydown(event: KeyboardEvent): void {
  const row = event.currentTarget as HTMLElement;
  const list = items(row);
  const next = nextRovingIndex(list.indexOf(document.activeElement as HTMLElement), event.key, list.length);
  if (next === null) return;
  event.preventDefault();
  const target = list[next]!;
  makeCurrent(row, target);
  target.focus();
}

/** focusout of a row: when focus leaves it, its first item is the row's Tab stop again. */
export function rovingFocusout(event: FocusEvent): void {
  const row = event.currentTarget as HTMLElement;
  if (event.relatedTarget instanceof Node && row.contains(event.relatedTarget)) return;
  const first = row.querySelector<HTMLElement>(ITEM);
  if (first) makeCurrent(row, first);
}
