import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from '../../../support/tmp';

// The design tokens' colour pairs, read from the stylesheet, against WCAG 2.2's contrast minimums:
// a token change that makes text unreadable or the focus ring faint fails here, before any screen is drawn.
const CSS = fs.readFileSync(path.join(repoRoot, 'renderer/src/styles/app.css'), 'utf8');

type Theme = 'light' | 'dark';
/** WCAG 1.4.3: text up to 18px (14px bold), which is all of the app's body and status text. */
const TEXT = 4.5;
/** WCAG 1.4.11: the focus ring and other parts of a control against what is next to them. */
const NON_TEXT = 3;

/** Custom properties per theme: light is every `:root` block, dark is light overridden by `:root[data-theme='dark']`. */
function tokens(css: string): Record<Theme, Map<string, string>> {
  const light = new Map<string, string>();
  const dark = new Map<string, string>();
  for (const block of css.matchAll(/:root(\[data-theme='dark'\])?\s*\{([^}]*)\}/g)) {
    for (const decl of block[2]!.matchAll(/--([\w-]+)\s*:\s*([^;]+);/g)) (block[1] ? dark : light).set(decl[1]!, decl[2]!.trim());
  }
  return { light, dark: new Map([...light, ...dark]) };
}

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Relative luminance of a #rrggbb colour (WCAG 2.2 definition). */
function luminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [m[1]!, m[2]!, m[3]!].map((h) => channel(parseInt(h, 16)));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const THEMES = tokens(CSS);

/** The colour of a token in a theme; an opaque #rrggbb is required so its contrast is a fact, not a guess about what shows through. */
function color(theme: Theme, name: string): string {
  const value = THEMES[theme].get(name);
  assert.ok(value, `--${name} is defined for the ${theme} theme`);
  assert.match(value!, /^#[0-9a-f]{6}$/i, `--${name} (${theme}) is an opaque #rrggbb colour`);
  return value!;
}

/** Every pair below its minimum, as readable lines ("dark: --text-3 on --surface-hover 4.15 < 4.5"). */
function failures(pairs: Array<[fg: string, bg: string]>, minimum: number): string[] {
  const out: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    for (const [fg, bg] of pairs) {
      const ratio = contrast(color(theme, fg), color(theme, bg));
      if (ratio < minimum) out.push(`${theme}: --${fg} on --${bg} ${ratio.toFixed(2)} < ${minimum}`);
    }
  }
  return out;
}

const on = (fgs: string[], bgs: string[]): Array<[string, string]> => fgs.flatMap((fg) => bgs.map((bg): [string, string] => [fg, bg]));
/** The backgrounds text sits on: the page, the sidebar and status bar, cards, inset panels, a hovered row. */
const SURFACES = ['bg', 'bg-sidebar', 'surface', 'surface-2', 'surface-hover'];

test('the contrast formula gives WCAG reference values', () => {
  assert.is(contrast('#000000', '#ffffff'), 21);
  assert.is(contrast('#777777', '#777777'), 1);
  // #767676 is the lightest grey that passes on white, #777777 the first that fails.
  assert.ok(contrast('#767676', '#ffffff') >= TEXT);
  assert.ok(contrast('#777777', '#ffffff') < TEXT);
  assert.is(contrast('#ffffff', '#000000'), contrast('#000000', '#ffffff'), 'the order of the pair does not matter');
});

test('body text and secondary text are readable on every surface, in both themes', () => {
  assert.equal(failures(on(['text', 'text-2'], SURFACES), TEXT), []);
});

test('muted text (hints, timestamps, the status bar) is readable on every surface, in both themes', () => {
  assert.equal(failures(on(['text-3'], [...SURFACES, 'accent-soft']), TEXT), []);
});

test('status bar is readable in light mode (it was 3.4:1): its text and the engine health on the status bar background', () => {
  assert.equal(failures(on(['text-3', 'text', 'ok', 'warn', 'danger'], ['bg-sidebar']), TEXT), []);
});

test('accent text and links on the page and cards; the label of a primary button on the accent', () => {
  assert.equal(failures([...on(['accent'], ['bg', 'surface', 'surface-2', 'accent-soft']), ['accent-text', 'accent'], ['accent-text', 'accent-hover']], TEXT), []);
});

test('status colours on their own soft background (badges, alerts) and on cards', () => {
  const tones = ['ok', 'warn', 'danger'];
  assert.equal(failures([...tones.map((t): [string, string] => [t, `${t}-soft`]), ...on(tones, ['bg', 'surface'])], TEXT), []);
});

test('highlighted query text is readable on the code background', () => {
  const code = ['code-text', 'code-keyword', 'code-string', 'code-number', 'code-comment', 'code-fn', 'code-attr', 'code-punct'];
  assert.equal(failures(on(code, ['code-bg']), TEXT), []);
});

test('the focus ring stands out from every surface it can be drawn on, in both themes', () => {
  assert.equal(failures(on(['focus-ring'], SURFACES), NON_TEXT), []);
});

test('keyboard focus draws a solid ring of at least 2px in the focus-ring colour', () => {
  const rule = /(?:^|\n)\s*:focus-visible\s*\{([^}]*)\}/.exec(CSS);
  assert.ok(rule, 'app.css styles :focus-visible');
  const outline = /outline\s*:\s*(\d+(?:\.\d+)?)px\s+solid\s+var\(--focus-ring\)/.exec(rule![1]!);
  assert.ok(outline, `the :focus-visible outline is solid in var(--focus-ring): ${rule![1]!.trim()}`);
  assert.ok(Number(outline![1]) >= 2, 'at least 2px wide');
  // Components that draw focus as a box-shadow use --focus: it must be a solid ring of the same colour, not a faint halo.
  for (const theme of ['light', 'dark'] as const) {
    assert.match(THEMES[theme].get('focus') ?? '', /^0 0 0 (?:[2-9]|\d{2,})px var\(--focus-ring\)$/, `--focus (${theme}) is a solid ring of at least 2px`);
  }
});

test.run();
