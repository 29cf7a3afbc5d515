import { askInChat, lastOf, latestQueryCard, waitReplaced, type E2EApp } from '../../support/e2e';
import { pressCommand } from './keys';

type Element = ReturnType<WebdriverIO.Browser['$']>;

/** The Ask page: ask, the query cards, approve or deny, the result cards, as the specs repeat them. */
export class ChatPage {
  constructor(private readonly app: E2EApp) {}

  /** Opens a source's conversation (its newest, or `sessionId`). */
  async open(sourceId: string, sessionId?: string): Promise<void> {
    await this.app.open(`#/chat/${sourceId}${sessionId ? `/${sessionId}` : ''}`);
  }

  /** Types a question into the composer and sends it. */
  ask(question: string): Promise<void> {
    return askInChat(this.app, question);
  }

  /** The latest query card, once it is in the given status (pending, approved, denied, done …). */
  latestQuery(status: string): Promise<Element> {
    return latestQueryCard(this.app, status);
  }

  /** The last element with this test id (the newest in the thread). */
  lastOf(testId: string): Element {
    return lastOf(this.app, testId);
  }

  /** Waits until the newest element with this test id contains the text (re-queried, as new ones arrive). */
  async waitForLast(testId: string, text: string): Promise<void> {
    await this.app.browser.waitUntil(async () => (await this.lastOf(testId).getText().catch(() => '')).includes(text), {
      timeout: 20_000,
      timeoutMsg: `the last ${testId} never showed ${text}`,
    });
  }

  /** How many result cards the thread shows. */
  async resultCount(): Promise<number> {
    return this.app.browser.$$('[data-testid="result-card"]').length;
  }

  /** Waits until the thread shows `count` result cards. */
  async waitForResults(count: number, timeoutMsg: string, timeout = 20_000): Promise<void> {
    await this.app.browser.waitUntil(async () => (await this.resultCount()) === count, { timeout, timeoutMsg });
  }

  /** Approves with the keyboard (Cmd/Ctrl+Enter) once focus is on the new query card. */
  async approveWithKeyboard(): Promise<void> {
    await this.app.browser.waitUntil(async () => (await this.app.browser.execute(() => document.activeElement?.getAttribute('data-testid'))) === 'query-card', {
      timeoutMsg: 'the query card did not get focus',
    });
    await pressCommand(this.app, 'Enter');
  }

  /** Asks, approves the proposed query, and returns the new result card once it is there. */
  async askAndRun(question: string, timeout = 30_000): Promise<Element> {
    const before = await this.resultCount();
    await this.ask(question);
    const card = await this.latestQuery('pending');
    await card.$('[data-testid="approve"]').click();
    await this.app.browser.waitUntil(async () => (await this.resultCount()) > before, { timeout, timeoutMsg: `no result for "${question}"` });
    return this.lastOf('result-card');
  }

  /** Edits a query card's SQL and saves it; returns once the edit has replaced it (the new card is the latest, pending). */
  async editQuery(card: Element, sql: string): Promise<Element> {
    await card.$('[data-testid="edit-query"]').click();
    const editor = card.$('[data-testid="query-editor"]');
    await editor.waitForDisplayed();
    await editor.setValue(sql);
    await card.$('[data-testid="save-query"]').click();
    await waitReplaced(this.app, card);
    return this.latestQuery('pending');
  }
}
