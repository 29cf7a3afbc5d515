import type { VerifiedAnswer } from '../../../engine/contract/index';
import { getApi } from './api';

export type VerifiedOutcome = { ok: true } | { ok: false; message: string };

/**
 * The verified answers of one source, as the engine has them; reloaded whole
 * after every change made here. The engine decides what may be verified and
 * what matches; this only shows the list and forwards the user's actions.
 */
export class VerifiedState {
  #sourceId = $state.raw<string | null>(null);
  #list = $state.raw<VerifiedAnswer[]>([]);
  #loaded = $state.raw(false);
  #error = $state.raw<string | null>(null);
  #seq = 0;

  get sourceId() {
    return this.#sourceId;
  }
  get list() {
    return this.#list;
  }
  get loaded() {
    return this.#loaded;
  }
  get error() {
    return this.#error;
  }

  /** The verified answer of this source whose query is exactly this text, if any. */
  forQuery(query: string): VerifiedAnswer | undefined {
    return this.#list.find((v) => v.query === query);
  }

  /** Shows another source's list (a no-op when it is already shown). */
  async show(sourceId: string): Promise<void> {
    if (this.#sourceId === sourceId && this.#loaded) return;
    this.#sourceId = sourceId;
    this.#list = [];
    this.#loaded = false;
    await this.reload();
  }

  async reload(): Promise<void> {
    const api = getApi();
    const sourceId = this.#sourceId;
    if (!api || !sourceId) return;
    const seq = ++this.#seq;
    const r = await api.verified.list({ sourceId });
    if (seq !== this.#seq) return;
    if (r.ok) {
      this.#list = r.value;
      this.#error = null;
    } else this.#error = r.error.message;
    this.#loaded = true;
  }

  /** Marks a query of a conversation that ran successfully as the verified answer to `question`. */
  async markFromMessage(input: { sourceId: string; sessionId: string; messageId: string; question: string }): Promise<VerifiedOutcome> {
    const api = getApi();
    if (!api) return { ok: false, message: 'The engine is not reachable.' };
    const r = await api.verified.add({ sessionId: input.sessionId, messageId: input.messageId, question: input.question });
    if (!r.ok) return { ok: false, message: r.error.message };
    this.#sourceId = input.sourceId;
    await this.reload();
    return { ok: true };
  }

  async editQuestion(id: string, question: string): Promise<VerifiedOutcome> {
    const r = await getApi()?.verified.edit({ id, question });
    if (!r) return { ok: false, message: 'The engine is not reachable.' };
    await this.reload();
    return r.ok ? { ok: true } : { ok: false, message: r.error.message };
  }

  async remove(id: string): Promise<VerifiedOutcome> {
    const r = await getApi()?.verified.remove({ id });
    if (!r) return { ok: false, message: 'The engine is not reachable.' };
    await this.reload();
    return r.ok ? { ok: true } : { ok: false, message: r.error.message };
  }
}

export const verifiedState = new VerifiedState();
