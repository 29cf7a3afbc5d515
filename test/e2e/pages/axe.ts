/**
 * axe-core checks for the accessibility specs (test/e2e/accessibility*.test.ts): every screen a
 * user meets, in the light and the dark theme, through axe's WebdriverIO integration
 * (@axe-core/webdriverio: it works with webdriverio 9 over BiDi here). A serious or critical
 * violation fails the test and is printed with its rule, impact, element and help text.
 */
import { AxeBuilder } from '@axe-core/webdriverio';
import * as assert from 'uvu/assert';
import type { E2EApp } from '../../support/e2e';

type Theme = 'light' | 'dark';
const THEMES: Theme[] = ['light', 'dark'];
const BLOCKING = new Set(['serious', 'critical']);
/** How long a screen may take to be ready: generous, as e2e files share a busy machine (a liveness bound, not a speed target). */
export const READY = 30_000;

export function axeChecks(current: () => E2EApp) {
  const $ = (selector: string) => current().browser.$(selector);
  /** Clicks an element once it can be clicked (the default 5 s is short on a busy machine). */
  async function click(selector: string): Promise<void> {
    const el = $(selector);
    await el.waitForClickable({ timeout: READY });
    await el.click();
  }

  /** Waits until no transition or finite animation is running, so colours are read at rest (a fading dialog has no final contrast yet). */
  async function settle(): Promise<void> {
    await current().browser.waitUntil(
      async () =>
        (await current().browser.execute(() =>
          document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
        )) as boolean,
      { timeout: 10_000, timeoutMsg: 'animations did not finish' },
    );
  }

  /** Runs axe on the page as it is and returns one line per serious or critical finding. */
  async function violations(where: string): Promise<string[]> {
    await settle();
    const results = await new AxeBuilder({ client: current().browser }).analyze();
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
    await current().browser.sendCommand('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: theme }] });
    await current().browser.waitUntil(async () => (await $('html').getAttribute('data-theme')) === theme, { timeout: READY, timeoutMsg: `the app did not follow the system to ${theme}` });
  }

  /**
   * Brings a screen up (`show` loads the page and brings it to the state to check), then asserts that axe
   * finds nothing serious on it in the light theme and, switched live, in the dark theme.
   */
  async function checkBothThemes(screen: string, show: () => Promise<void>): Promise<void> {
    await systemColorScheme('light');
    await show().catch(async (error: unknown) => {
      console.log(`${screen} did not get ready; screenshot: ${await current().screenshot('a11y-not-ready')}`);
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

  /** What keyboard focus looks like at each Tab stop of the page (up to `max`), from the first one on. */
  async function tabStops(max: number): Promise<Array<{ what: string; ring: boolean }>> {
    const stops: Array<{ what: string; ring: boolean }> = [];
    await current().browser.execute(() => (document.activeElement as HTMLElement | null)?.blur());
    for (let i = 0; i < max; i++) {
      await current().browser.keys('Tab');
      await settle(); // a ring that fades in is read once it is drawn
      const stop = (await current().browser.execute(() => {
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

  return { click, settle, systemColorScheme, checkBothThemes, tabStops };
}
