import * as assert from 'uvu/assert';
import type { E2EApp } from '../../support/e2e';

type Element = ReturnType<WebdriverIO.Browser['$']>;

/** The Results page: the full table, its chart, sorting; and the result's runs as the engine counts them. */
export class ResultsPage {
  constructor(private readonly app: E2EApp) {}

  async open(): Promise<void> {
    await this.app.open('#/results');
  }

  get page(): Element {
    return this.app.browser.$('[data-testid="results-page"]');
  }

  get grid(): Element {
    return this.app.browser.$('[data-testid="full-result"]');
  }

  /** Opens a result card's full result and waits for the Results page. */
  async openFrom(resultCard: Element): Promise<void> {
    await resultCard.$('[data-testid="open-result"]').click();
    await this.page.waitForDisplayed({ timeout: 10_000 });
  }

  /** The chart type drawn now inside `scope`, once a chart is on the page. */
  async drawnType(scope: Element): Promise<string | null> {
    const canvas = scope.$('[data-testid="chart-canvas"]');
    await canvas.waitForExist({ timeout: 15_000 });
    return canvas.getAttribute('data-chart-type');
  }

  async waitForDrawn(scope: Element, type: string): Promise<void> {
    await this.app.browser.waitUntil(async () => (await scope.$('[data-testid="chart-canvas"]').getAttribute('data-chart-type').catch(() => null)) === type, {
      timeout: 15_000,
      timeoutMsg: `the chart did not become ${type}`,
    });
  }

  /** The text of the cells of the first `n` rows shown, by column index (0 is the row number). */
  async firstRows(n: number): Promise<string[][]> {
    return (await this.app.browser.execute((count: number) => {
      const rows = [...document.querySelectorAll('[data-testid="full-result"] [data-testid="result-row"]')]
        .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
        .slice(0, count);
      return rows.map((r) => [...r.querySelectorAll('[role="cell"]')].map((c) => c.textContent?.trim() ?? ''));
    }, n)) as string[][];
  }

  /** Clicks a column header and waits until the column says it is sorted that way. */
  async clickHeader(column: string, expected: 'asc' | 'desc' | 'none'): Promise<void> {
    const header = this.app.browser.$(`[data-testid="column-header"][data-column="${column}"]`);
    await header.click();
    await this.app.browser.waitUntil(async () => (await header.getAttribute('data-sort')) === expected, { timeoutMsg: `${column} did not sort ${expected}` });
  }

  /** The pager under the table (shown when the table is in pages). */
  get pager(): Element {
    return this.app.browser.$('[data-testid="pager"]');
  }

  /** Switches the table to pages of `size` rows and waits for the pager to say so. */
  async showPages(size: number): Promise<void> {
    await this.app.browser.$('[data-testid="table-view-option"][data-view="pages"]').click();
    await this.pager.waitForDisplayed({ timeoutMsg: 'no pager after choosing Pages' });
    await this.pager.$('[data-testid="page-size"]').selectByAttribute('value', String(size));
    await this.app.browser.waitUntil(async () => (await this.pager.$('[data-testid="page-size"]').getValue()) === String(size), { timeoutMsg: `the page size did not become ${size}` });
  }

  /** Presses a pager button ('first', 'previous', 'next', 'last') and waits until the pager names page `expected`. */
  async turnPage(move: 'first' | 'previous' | 'next' | 'last', expected: string): Promise<void> {
    await this.pager.$(`[data-testid="page-${move}"]`).click();
    await this.waitForPage(expected);
  }

  /** Waits until the pager reads "Page `expected` of …". */
  async waitForPage(expected: string): Promise<void> {
    const status = this.pager.$('[data-testid="page-status"]');
    await this.app.browser.waitUntil(async () => (await status.getText()).startsWith(`Page ${expected} of`), {
      timeoutMsg: `the pager did not reach page ${expected}`,
    });
  }

  /** What the pager says: "Page N of M" and "Rows X–Y of Z". */
  async pagerText(): Promise<{ page: string; rows: string }> {
    return { page: await this.pager.$('[data-testid="page-status"]').getText(), rows: await this.pager.$('[data-testid="page-rows"]').getText() };
  }

  /** The rows drawn now, top to bottom: the number shown, its aria-rowindex and its first cell. */
  async drawnRows(): Promise<{ number: string; rowIndex: string; first: string }[]> {
    return (await this.app.browser.execute(() =>
      [...document.querySelectorAll('[data-testid="full-result"] [data-testid="result-row"]')]
        .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
        .map((r) => ({
          number: r.querySelector('[data-testid="row-number"]')?.textContent?.trim() ?? '',
          rowIndex: r.getAttribute('aria-rowindex') ?? '',
          first: r.querySelectorAll('[role="cell"]')[1]?.textContent?.trim() ?? '',
        })),
    )) as { number: string; rowIndex: string; first: string }[];
  }

  /**
   * How many queries the engine has run: every finished run writes query.executed or query.failed
   * in the audit log, in the same transaction as the run, so this counts runs in either host.
   */
  async queryRuns(): Promise<number> {
    let n = 0;
    for (const action of ['query.executed', 'query.failed'] as const) n += (await this.app.call('audit.list', { action, limit: 5_000 })).events.length;
    return n;
  }
}

/** Uncaught errors, rejected promises and console errors/warnings in the page (trapped again after each reload). */
export class PageErrors {
  constructor(private readonly app: E2EApp) {}

  async trap(): Promise<void> {
    await this.app.browser.execute(() => {
      const w = window as unknown as { __pageErrors?: string[] };
      if (w.__pageErrors) return;
      const errors: string[] = [];
      w.__pageErrors = errors;
      window.addEventListener('error', (e) => errors.push(`error: ${e.message}`));
      window.addEventListener('unhandledrejection', (e) => errors.push(`unhandled rejection: ${String(e.reason)}`));
      for (const level of ['error', 'warn'] as const) {
        const original = console[level].bind(console);
        console[level] = (...args: unknown[]) => {
          errors.push(`console.${level}: ${args.map(String).join(' ')}`);
          original(...args);
        };
      }
    });
  }

  async assertNone(when: string): Promise<void> {
    const errors = (await this.app.browser.execute(() => (window as unknown as { __pageErrors?: string[] }).__pageErrors ?? ['the error trap was not installed'])) as string[];
    assert.equal(errors, [], `page errors ${when}`);
  }
}

/**
 * The files the page downloads, read back from the Blobs they are made of. Browser host only:
 * the app saves an export through its native save dialog, which WebDriver cannot drive.
 */
export class Downloads {
  constructor(private readonly app: E2EApp) {}

  /** Starts keeping every Blob the page turns into a download (again from the first). */
  async catch(): Promise<void> {
    await this.app.browser.execute(() => {
      const w = window as unknown as { __exports: Blob[]; __createObjectURL?: typeof URL.createObjectURL };
      w.__exports = [];
      if (!w.__createObjectURL) {
        w.__createObjectURL = URL.createObjectURL.bind(URL);
        URL.createObjectURL = (blob: Blob | MediaSource) => {
          if (blob instanceof Blob) w.__exports.push(blob);
          return w.__createObjectURL!(blob);
        };
      }
    });
  }

  /** The `nth` download since catch() (1 = the first), once it has been made. */
  async nth(n: number): Promise<Buffer> {
    const bytes = (await this.app.browser.executeAsync((index: number, done: (bytes: number[]) => void) => {
      const w = window as unknown as { __exports: Blob[] };
      const wait = () => (w.__exports.length >= index ? void w.__exports[index - 1]!.arrayBuffer().then((b) => done([...new Uint8Array(b)])) : setTimeout(wait, 50));
      wait();
    }, n)) as number[];
    return Buffer.from(bytes);
  }
}
