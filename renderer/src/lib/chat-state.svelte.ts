import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { ChatMessage, ChatSession } from '../../../engine/contract/index';
import { getApi } from './api';
import { approvalState, newRunId, type Approval, type ApprovalState } from './chat-approval';
import { exampleQuestions } from './chat-examples';
import { groupTurns, indexThread, type EngineThreadStates, type ResultMessage } from './chat-thread';

export interface Running {
  messageId: string;
  runId: string;
  startedAt: number;
  /** Started by this window (false: another window's run, seen through chat.running). */
  local: boolean;
}

export type AskOutcome = { ok: true; sessionId: string; messageId: string } | { ok: false; sessionId: string | null; message: string };
/** Which conversations the rail lists: every source's unless one is chosen, narrowed by words of a question or title. */
export interface SessionFilter {
  sourceId: string | null;
  search: string;
}

export type EditOutcome = { ok: true; messageId: string } | { ok: false; message: string };

const NO_STATES: EngineThreadStates = { queries: [], pendingQueryId: null };

/** Errors recorded within this margin of a question count as its answer (the engine and page share a clock). */
const SAME_MOMENT_MS = 2_000;

/**
 * The Ask page's state: the chosen source, its sessions, the open thread and
 * the approvals this window holds. Approval tokens live here in memory only:
 * never persisted, gone on reload, dropped the moment they are used. The
 * engine owns the approval state machine; the thread mirrors what it recorded.
 */
export class ChatState {
  #sourceId = $state.raw<string | null>(null);
  #sessions = $state.raw<ChatSession[]>([]);
  #sessionsLoaded = $state.raw(false);
  #filter = $state.raw<SessionFilter>({ sourceId: null, search: '' });
  #listSeq = 0;
  #session = $state.raw<ChatSession | null>(null);
  #messages = $state.raw<ChatMessage[]>([]);
  /** Where each query stands, as the engine said with the messages. */
  #states = $state.raw<EngineThreadStates>(NO_STATES);
  #loading = $state.raw(false);
  readonly #approvals = new SvelteMap<string, Approval>();
  #generating = $state.raw<{ question: string; sessionId: string | null } | null>(null);
  #running = $state.raw<Running | null>(null);
  readonly #busy = new SvelteSet<string>();
  #notice = $state.raw<string | null>(null);
  #now = $state.raw(Date.now());
  #examples = $state.raw<{ sourceId: string; questions: string[] } | null>(null);

  readonly index = $derived(indexThread(this.#messages, this.#states));
  readonly turns = $derived(groupTurns(this.#messages));

  /** The session the page asked for (the loaded one may lag behind while it loads). */
  #wanted: string | null = null;
  #loadSeq = 0;
  #sessionsTimer: ReturnType<typeof setTimeout> | null = null;
  /** Queries approved in this window: their results are the ones whose rendering we measure. */
  readonly #approvedHere = new SvelteSet<string>();
  readonly #reported = new SvelteSet<string>();

  get sourceId() {
    return this.#sourceId;
  }
  get sessions() {
    return this.#sessions;
  }
  get sessionsLoaded() {
    return this.#sessionsLoaded;
  }
  get filter(): SessionFilter {
    return this.#filter;
  }
  get session() {
    return this.#session;
  }
  get messages() {
    return this.#messages;
  }
  get loading() {
    return this.#loading;
  }
  get generating() {
    return this.#generating;
  }
  get running() {
    return this.#running;
  }
  get notice() {
    return this.#notice;
  }
  get now() {
    return this.#now;
  }
  get examples(): string[] {
    return this.#examples && this.#examples.sourceId === this.#sourceId ? this.#examples.questions : [];
  }

  isBusy(messageId: string): boolean {
    return this.#busy.has(messageId);
  }

  approvalState(messageId: string): ApprovalState {
    return approvalState(this.#approvals.get(messageId), this.#now);
  }

  dismissNotice(): void {
    this.#notice = null;
  }

  /** Subscribes to the engine's chat events and runs the clock; returns the cleanup. */
  start(): () => void {
    const api = getApi();
    if (!api) return () => {};
    const offUpdated = api.on('chat.updated', ({ sessionId }) => {
      if (sessionId === this.#wanted) void this.#load(sessionId);
      this.#scheduleSessions();
    });
    const offRunning = api.on('chat.running', ({ sessionId, messageId, runId, state }) => {
      if (sessionId !== this.#session?.id) return;
      if (state === 'running' && !this.#running) this.#running = { messageId, runId, startedAt: Date.now(), local: false };
      if (state === 'finished' && this.#running?.runId === runId && !this.#running.local) this.#running = null;
    });
    // Countdowns and the running timer need a fast clock; otherwise it only keeps "5 min ago" honest.
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      if (this.#running || this.#approvals.size || Date.now() - this.#now >= 30_000) this.#now = Date.now();
      timer = setTimeout(tick, this.#running ? 250 : 1000);
    };
    tick();
    return () => {
      offUpdated();
      offRunning();
      clearTimeout(timer);
      if (this.#sessionsTimer) clearTimeout(this.#sessionsTimer);
    };
  }

  /** Shows a source and, optionally, one of its sessions (null: a new conversation). */
  async open(sourceId: string, sessionId: string | null): Promise<void> {
    // The conversation list is every source's, so it stays as it is when the source changes.
    if (sourceId !== this.#sourceId) {
      this.#sourceId = sourceId;
      this.#notice = null;
    }
    void this.reloadSessions();
    if (sessionId === this.#wanted && (sessionId === null || this.#session?.id === sessionId)) {
      // Back on the page: catch up with anything that changed while it was not listening.
      if (sessionId) void this.#load(sessionId);
      return;
    }
    this.#wanted = sessionId;
    this.#session = null;
    this.#messages = [];
    this.#states = NO_STATES;
    this.#notice = null;
    this.#loading = false;
    if (sessionId) await this.#load(sessionId, true);
  }

  async reloadSessions(): Promise<void> {
    const api = getApi();
    if (!api) return;
    const seq = ++this.#listSeq;
    const { sourceId, search } = this.#filter;
    const r = await api.chat.listSessions({ includeArchived: true, ...(sourceId ? { sourceId } : {}), ...(search.trim() ? { search: search.trim() } : {}) });
    if (seq !== this.#listSeq) return;
    if (r.ok) this.#sessions = r.value;
    this.#sessionsLoaded = true;
  }

  /** Narrows the conversation list (by source, by words of a question or title). */
  setFilter(change: Partial<SessionFilter>): void {
    this.#filter = { ...this.#filter, ...change };
    void this.reloadSessions();
  }

  /** The conversation if it still exists and is not archived (what "Ask" may resume), else null. */
  async resumable(sessionId: string): Promise<ChatSession | null> {
    const r = await getApi()?.chat.listSessions({});
    return (r?.ok && r.value.find((s) => s.id === sessionId)) || null;
  }

  #scheduleSessions(): void {
    if (this.#sessionsTimer) return;
    this.#sessionsTimer = setTimeout(() => {
      this.#sessionsTimer = null;
      void this.reloadSessions();
    }, 60);
  }

  async #load(sessionId: string, showLoading = false): Promise<void> {
    const api = getApi();
    if (!api) return;
    const seq = ++this.#loadSeq;
    if (showLoading) this.#loading = true;
    const r = await api.chat.getSession({ sessionId });
    if (seq !== this.#loadSeq) return;
    this.#loading = false;
    if (sessionId !== this.#wanted) return;
    if (r.ok) {
      this.#session = r.value.session;
      this.#messages = r.value.messages;
      this.#states = { queries: r.value.queries, pendingQueryId: r.value.pendingQueryId };
    } else if (r.error.code === 'NOT_FOUND') this.#notice = 'That conversation no longer exists.';
    else if (r.error.code !== 'LOCKED') this.#notice = r.error.message;
  }

  /** Shows a message the engine just returned, before the reload that follows catches up. */
  #merge(message: ChatMessage): void {
    if (message.sessionId !== this.#session?.id || this.#messages.some((m) => m.id === message.id)) return;
    this.#messages = [...this.#messages, message].sort((a, b) => a.seq - b.seq);
  }

  #setApproval(messageId: string, approval: Approval | null): void {
    if (!approval) return;
    this.#approvals.set(messageId, approval);
    this.#now = Date.now();
  }

  #dropApproval(messageId: string): void {
    this.#approvals.delete(messageId);
  }

  #setBusy(messageId: string, busy: boolean): void {
    if (busy) this.#busy.add(messageId);
    else this.#busy.delete(messageId);
  }

  // ---- asking ----

  /** `useOfflinePlanner`: this one question goes to the built-in planner, whatever model is configured. */
  async ask(question: string, options: { useOfflinePlanner?: boolean } = {}): Promise<AskOutcome> {
    const api = getApi();
    const sourceId = this.#sourceId;
    if (!api || !sourceId || this.#generating) return { ok: false, sessionId: null, message: 'Choose a source first.' };
    const sessionId = this.#session?.id ?? null;
    const started = Date.now();
    this.#generating = { question, sessionId };
    this.#notice = null;
    const offline = options.useOfflinePlanner ? { useOfflinePlanner: true } : {};
    const r = await api.chat.ask(sessionId ? { sessionId, question, ...offline } : { sourceId, question, ...offline });
    if (r.ok) {
      this.#setApproval(r.value.messageId, r.value.approval);
      this.#wanted = r.value.sessionId;
      await this.#load(r.value.sessionId);
      this.#generating = null;
      this.#scheduleSessions();
      return { ok: true, sessionId: r.value.sessionId, messageId: r.value.messageId };
    }
    // A failed generation is recorded in the thread, in a session the engine may just have created.
    let failed = sessionId;
    if (!failed) {
      const list = await api.chat.listSessions({ sourceId });
      failed = (list.ok ? list.value.find((s) => Date.parse(s.createdAt) >= started - SAME_MOMENT_MS) : undefined)?.id ?? null;
    }
    if (failed) {
      this.#wanted = failed;
      await this.#load(failed);
    }
    this.#generating = null;
    const recorded = this.#messages.some((m) => m.payload.kind === 'error' && Date.parse(m.createdAt) >= started - SAME_MOMENT_MS);
    if (!recorded) this.#notice = r.error.message;
    this.#scheduleSessions();
    return { ok: false, sessionId: failed, message: r.error.message };
  }

  async editQuery(messageId: string, query: string): Promise<EditOutcome> {
    const api = getApi();
    const session = this.#session;
    if (!api || !session) return { ok: false, message: 'No conversation is open.' };
    this.#setBusy(messageId, true);
    const r = await api.chat.editQuery({ sessionId: session.id, messageId, query });
    this.#setBusy(messageId, false);
    if (!r.ok) return { ok: false, message: r.error.message };
    this.#setApproval(r.value.messageId, r.value.approval);
    await this.#load(session.id);
    return { ok: true, messageId: r.value.messageId };
  }

  /** The same query again, for a fresh approval (after one expired or was lost on reload). */
  validateAgain(messageId: string): Promise<EditOutcome> {
    const m = this.index.byId.get(messageId);
    if (m?.payload.kind !== 'query') return Promise.resolve({ ok: false, message: 'That is not a query.' });
    return this.editQuery(messageId, m.payload.query);
  }

  // ---- decisions ----

  /**
   * Runs the latest pending query with the approval this window holds. Returns
   * the message the engine added (the result, or an error such as an approval
   * the engine refused), 'expired' when the approval ran out here first.
   */
  async approve(messageId: string): Promise<ChatMessage | 'expired' | null> {
    const api = getApi();
    const session = this.#session;
    const approval = this.#approvals.get(messageId);
    if (!api || !session || this.#running || this.index.pendingQueryId !== messageId) return null;
    if (approvalState(approval, Date.now()).kind !== 'live' || !approval) {
      this.#now = Date.now();
      return 'expired';
    }
    this.#dropApproval(messageId);
    const runId = newRunId();
    this.#approvedHere.add(messageId);
    this.#running = { messageId, runId, startedAt: Date.now(), local: true };
    const r = await api.chat.approve({ sessionId: session.id, messageId, token: approval.token, runId });
    this.#running = null;
    if (!r.ok) {
      this.#notice = r.error.message;
      await this.#load(session.id);
      return null;
    }
    // A run that never reached the database gave the approval back: it stays usable here until it expires.
    const payload = r.value.message.payload;
    if (payload.kind === 'error' && payload.reason === 'NOT_STARTED') this.#setApproval(messageId, approval);
    this.#merge(r.value.message);
    void this.#load(session.id);
    return r.value.message;
  }

  async deny(messageId: string): Promise<boolean> {
    const api = getApi();
    const session = this.#session;
    const approval = this.#approvals.get(messageId);
    if (!api || !session || !approval) return false;
    this.#setBusy(messageId, true);
    const r = await api.chat.deny({ sessionId: session.id, messageId, token: approval.token });
    this.#setBusy(messageId, false);
    this.#dropApproval(messageId);
    if (!r.ok) {
      this.#notice = r.error.message;
      return false;
    }
    this.#merge(r.value.message);
    await this.#load(session.id);
    return true;
  }

  async cancel(): Promise<void> {
    const running = this.#running;
    if (running) await getApi()?.chat.cancel({ runId: running.runId });
  }

  // ---- sessions ----

  /** Leaves the open thread: the next question starts a new session. */
  newConversation(): void {
    this.#wanted = null;
    this.#loading = false;
    this.#session = null;
    this.#messages = [];
    this.#states = NO_STATES;
    this.#notice = null;
  }

  async rename(sessionId: string, title: string): Promise<string | null> {
    const r = await getApi()?.chat.renameSession({ sessionId, title });
    if (!r) return null;
    if (!r.ok) return r.error.message;
    if (this.#session?.id === sessionId) this.#session = r.value;
    this.#sessions = this.#sessions.map((s) => (s.id === sessionId ? r.value : s));
    return null;
  }

  async archive(sessionId: string, archived: boolean): Promise<string | null> {
    const r = await getApi()?.chat.archiveSession({ sessionId, archived });
    if (!r) return null;
    if (!r.ok) return r.error.message;
    if (this.#session?.id === sessionId) this.#session = r.value;
    this.#sessions = this.#sessions.map((s) => (s.id === sessionId ? r.value : s));
    return null;
  }

  /**
   * Suggested first questions for a source (cached per source): the engine's tested ones where it
   * has them (the sample), else made from its table names.
   */
  async loadExamples(sourceId: string): Promise<void> {
    if (this.#examples?.sourceId === sourceId) return;
    const known = await getApi()?.sources.examples({ id: sourceId });
    if (known?.ok && known.value.length > 0) {
      this.#examples = { sourceId, questions: known.value };
      return;
    }
    const r = await getApi()?.metadata.get({ sourceId });
    if (r?.ok) this.#examples = { sourceId, questions: exampleQuestions(r.value) };
  }

  // ---- telemetry ----

  /** A result this window asked for and has not yet reported the rendering of. */
  shouldMeasure(result: ResultMessage): boolean {
    return this.#approvedHere.has(result.payload.queryMessageId) && !this.#reported.has(result.id);
  }

  reportRendering(result: ResultMessage, durationMs: number, status: 'ok' | 'error'): void {
    if (this.#reported.has(result.id)) return;
    this.#reported.add(result.id);
    const query = this.index.byId.get(result.payload.queryMessageId);
    if (query?.payload.kind !== 'query') return;
    void getApi()?.telemetry.record({ traceId: query.payload.traceId, stage: 'rendering', durationMs: Math.min(3_600_000, Math.max(0, durationMs)), status });
  }
}

export const chatState = new ChatState();
