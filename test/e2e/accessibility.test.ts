import { AxeBuilder } from '@axe-core/webdriverio';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { TEST_PIN } from '../support/engine';
import { addConfirmedPgSource, askInChat, latestQueryCard, startApp, waitForText, type E2EApp } from '../support/e2e';

// Every screen a user meets, in the light and the dark theme, checked by axe-core through its WebdriverIO
// integration (@axe-core/webdriverio: it works with webdriverio 9 over BiDi here). A serious or critical
// violation fails the test and is printed with its rule, impact, element and help text.
let app: E2EApp;
let db: TestDatabase;
let sourceId = '';
let conversation = '';

type Theme = 'light' | 'dark';
const THEMES: Theme[] = ['light', 'dark'];
const BLOCKING = new Set(['serious', 'critical']);
/** How long a screen may take to be ready: generous, as e2e files share a busy machine (a liveness bound, not a speed target). */
const READY = 30_000;

const $ = (selector: string) => app.browser.$(selector);
const $$ = (selector: string) => app.browser.$$(selector);

test.before(async () => {
  db = createPgDatabase('chinook');
  app = await startApp();
  await app.open('#/sources'); // the first theme switch needs the app on the page
});
test.after(async () => {
  await app?.close();
  db?.drop();
});

/** Clicks an element once it can be clicked (the default 5 s is short on a busy machine). */
async function click(selector: string): Promise<void> {
  const el = $(selector);
  await el.waitForClickable({ timeout: READY });
  await el.click();
}

/** Waits until no transition or finite animation is running, so colours are read at rest (a fading dialog has no final contrast yet). */
async function settle(): Promise<void> {
  await app.browser.waitUntil(
    async () =>
      (await app.browser.execute(() =>
        document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
      )) as boolean,
    { timeout: 10_000, timeoutMsg: 'animations did not finish' },
  );
}

/** Runs axe on the page as it is and returns one line per serious or critical finding. */
async function violations(where: string): Promise<string[]> {
  await settle();
  const results = await new AxeBuilder({ client: app.browser }).analyze();
  return results.violations
    .filter((v) => BLOCKING.has(v.impact ?? ''))
    .flatMap((v) =>
      v.nodes.map((n) => {
        const why = n.any.map((c) => c.message).join('; ');
        return `${where}: ${v.id} (${v.impact}) at ${n.target.join(' ')} — ${v.help}${why ? ` [${why}]` : ''}`;
      }),
    );
}

/**
 * Follows the system's light or dark setting, as the app does by default ("Match system"): Chromium
 * is told the preferred colour scheme, and the page switches without a reload.
 */
async function systemColorScheme(theme: Theme): Promise<void> {
  await app.browser.sendCommand('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: theme }] });
  await app.browser.waitUntil(async () => (await $('html').getAttribute('data-theme')) === theme, { timeout: READY, timeoutMsg: `the app did not follow the system to ${theme}` });
}

/**
 * Brings a screen up (`show` loads the page and brings it to the state to check), then asserts that axe
 * finds nothing serious on it in the light theme and, switched live, in the dark theme.
 */
async function checkBothThemes(screen: string, show: () => Promise<void>): Promise<void> {
  await systemColorScheme('light');
  await show().catch(async (error: unknown) => {
    console.log(`${screen} did not get ready; screenshot: ${await app.screenshot('a11y-not-ready')}`);
    throw error;
  });
  const found: string[] = [];
  for (const theme of THEMES) {
    await systemColorScheme(theme);
    found.push(...(await violations(`${theme} · ${screen}`)));
  }
  if (found.length) console.log(`axe, ${screen}:\n  ${found.join('\n  ')}`);
  assert.equal(found, [], `serious or critical accessibility violations on ${screen}`);
}

test('profile setup on a fresh profile', async () => {
  await checkBothThemes('profile setup', async () => {
    await app.open('#/sources');
    await $('[data-testid="setup-screen"]').waitForDisplayed({ timeout: READY });
    await waitForText($('[data-testid="engine-health"]'), 'Engine healthy', READY);
  });
});

// Each test below brings the app to its state itself, so one screen's violations do not hide the next screen's.
test('Sources with no source yet', async () => {
  await app.call('auth.setup', { kind: 'pin', secret: TEST_PIN });
  await checkBothThemes('Sources, empty', async () => {
    await app.open('#/sources');
    await waitForText($('main'), 'No sources yet', READY);
    await $('[data-testid="try-sample"]').waitForEnabled({ timeout: READY });
  });
});

test('Sources listing a PostgreSQL source', async () => {
  sourceId = await addConfirmedPgSource(app, db);
  await checkBothThemes('Sources, one source', async () => {
    await app.open('#/sources');
    await waitForText($('[data-testid="source-row"]'), 'Chinook', READY);
  });
});

test('a source page with its schema', async () => {
  await checkBothThemes('source detail', async () => {
    await app.open(`#/sources/${sourceId}`);
    await waitForText($('main h1'), 'Chinook', READY);
    await waitForText($('[data-testid="metadata-tree"]'), 'album', READY);
  });
});

test('the Add source dialog with the PostgreSQL form', async () => {
  await checkBothThemes('source dialog', async () => {
    await app.open('#/sources');
    await click('[data-testid="add-source"]');
    await click('button[data-type="postgres"]');
    await $('input[name="name"]').waitForDisplayed({ timeout: READY });
  });
});

test('Ask with an approved result and its chart', async () => {
  await app.open(`#/chat/${sourceId}`);
  await $('[data-testid="composer"]').waitForEnabled({ timeout: READY });
  await askInChat(app, 'Revenue per month in 2021');
  await (await latestQueryCard(app, 'pending')).$('[data-testid="approve"]').click();
  await $('[data-testid="result-card"] [data-testid="chart-canvas"]').waitForExist({ timeout: READY });
  conversation = (await app.browser.execute(() => location.hash)) as string;
  assert.match(conversation, /^#\/chat\/[^/]+\/[^/]+/, 'the conversation is in the address');
  await checkBothThemes('Ask with a result', async () => {
    await app.open(conversation);
    await $('[data-testid="result-card"] [data-testid="chart-canvas"]').waitForExist({ timeout: READY });
    await $('[data-testid="query-card"]').waitForDisplayed({ timeout: READY });
  });
});

/** What keyboard focus looks like at each Tab stop of the page (up to `max`), from the first one on. */
async function tabStops(max: number): Promise<Array<{ what: string; ring: boolean }>> {
  const stops: Array<{ what: string; ring: boolean }> = [];
  await app.browser.execute(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < max; i++) {
    await app.browser.keys('Tab');
    await settle(); // a ring that fades in is read once it is drawn
    const stop = (await app.browser.execute(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      // A solid ring is an outline of 2px or more, or a box-shadow with no offset or blur and a spread of 2px or more;
      // a field inside a composite control (the composer, a search box) shows it on its frame (:focus-within), up to 3 levels up.
      const hasRing = (node: Element) => {
        const style = getComputedStyle(node);
        if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) return true;
        return [...style.boxShadow.matchAll(/(-?[\d.]+)px (-?[\d.]+)px (-?[\d.]+)px (-?[\d.]+)px/g)].some(
          (m) => Number(m[1]) === 0 && Number(m[2]) === 0 && Number(m[3]) === 0 && Number(m[4]) >= 2,
        );
      };
      let ring = false;
      for (let node: Element | null = el, up = 0; node && up <= 3 && !ring; node = node.parentElement, up++) ring = hasRing(node);
      const name = el.dataset.testid ?? el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40) ?? '';
      return { what: `${el.tagName.toLowerCase()} "${name}"`, ring };
    })) as { what: string; ring: boolean } | null;
    if (!stop) continue;
    if (stops[0]?.what === stop.what && stops.length > 1) break; // back at the start
    stops.push(stop);
  }
  return stops;
}

test('every Tab stop on Sources and in a conversation shows a solid focus ring of at least 2px', async () => {
  const faint: string[] = [];
  for (const [page, ready] of [
    ['#/sources', '[data-testid="source-row"]'],
    [conversation, '[data-testid="result-card"] [data-testid="chart-canvas"]'],
  ] as const) {
    await app.open(page);
    await $(ready).waitForExist({ timeout: READY });
    await settle();
    const stops = await tabStops(40);
    assert.ok(stops.length >= 8, `Tab moves through ${page} (${stops.length} stops)`);
    faint.push(...stops.filter((s) => !s.ring).map((s) => `${page}: ${s.what}`));
  }
  assert.equal(faint, [], 'focused elements without a visible ring');
});

test('Results: the list of past results', async () => {
  await checkBothThemes('Results list', async () => {
    await app.open('#/results/all');
    await waitForText($('[data-testid="past-results"]'), 'Revenue per month in 2021', READY);
  });
});

test('Results: one result opened from the list', async () => {
  await app.open('#/results/all');
  await click('[data-testid="past-result"]');
  await $('[data-testid="results-page"] [data-testid="chart-canvas"]').waitForExist({ timeout: READY });
  const openResult = (await app.browser.execute(() => location.hash)) as string;
  await checkBothThemes('an open result', async () => {
    await app.open(openResult);
    await waitForText($('[data-testid="result-title"]'), 'Revenue per month in 2021', READY);
    await $('[data-testid="results-page"] [data-testid="chart-canvas"]').waitForExist({ timeout: READY });
    await app.browser.waitUntil(async () => (await $$('[data-testid="full-result"] [data-testid="result-row"]').length) > 0, { timeout: READY, timeoutMsg: 'no rows shown' });
  });
});

test('the Audit log', async () => {
  await checkBothThemes('Audit log', async () => {
    await app.open('#/audit');
    await app.browser.waitUntil(async () => (await $$('[data-testid="audit-table"] tbody tr').length) > 0, { timeout: READY, timeoutMsg: 'no audit entries shown' });
  });
});

test('Settings, with the model form (fallback open), the self-test report and About', async () => {
  await checkBothThemes('Settings', async () => {
    await app.open('#/settings');
    await $('[data-testid="model-current"]').waitForDisplayed({ timeout: READY });
    await click('[data-testid="use-fallback"]');
    await $('fieldset.fallback').waitForDisplayed({ timeout: READY });
    await click('[data-testid="run-self-test"]');
    await $('[data-testid="self-test-report"]').waitForDisplayed({ timeout: READY });
    await waitForText($('[data-testid="sample-credit"]'), 'Chinook', READY);
  });
});

test('the lock screen', async () => {
  await app.call('auth.lock');
  await checkBothThemes('lock screen', async () => {
    await app.open('#/sources');
    await $('[data-testid="lock-screen"]').waitForDisplayed({ timeout: READY });
    await waitForText($('[data-testid="engine-health"]'), 'Engine healthy', READY);
  });
});

test.run();
