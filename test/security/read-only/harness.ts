/**
 * The read-only harness shared by every store: each attack goes through the
 * connector's validate (what `check` and `prepare` call), then, when check
 * accepted it, through explain (the rest of the preview), and then it is
 * forced through execute with check bypassed, on a superuser login, with the
 * server fingerprinted before and after. What changed, what secret came
 * back and what session state was left in the connector's pool is recorded
 * per attack; the store's test file asserts on the records.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connector, ConnectionSpec } from '../../../engine/connectors/types';
import { PREVIEW_BUDGET } from '../../../engine/connectors/shared/preview-budget';
import type { QueryResult, Verdict } from '../../../engine/contract/index';
import { EngineError, PreviewLimitError } from '../../../engine/errors';
import { ATTACK_CLASSES, fill, type AnalyticalQuery, type Attack, type AttackClass } from '../attacks/types';
import { diffSnapshots, findSecrets, type Snapshot } from '../../support/fingerprint/common';
import { artifactsDir } from '../../support/tmp';

/**
 * Liveness deadlines, not timings: a preview is supposed to end within PREVIEW_BUDGET.timeMs; one that has not
 * ended after ten times that is reported as hung (and abandoned) so one bad entry cannot stall the whole run.
 */
const PREVIEW_DEADLINE_MS = 10 * PREVIEW_BUDGET.timeMs;
const EXECUTE_GRACE_MS = 20_000;

export interface StoreUnderTest {
  store: string;
  connector: Connector;
  spec: ConnectionSpec;
  placeholders: Readonly<Record<string, string>>;
  /** Planted secrets by name; none may ever come back from a query. Read after every repair (they may change). */
  secrets(): Readonly<Record<string, string>>;
  /** The server's state (see test/support/fingerprint). */
  snapshot(): Promise<Snapshot>;
  /** Puts back what changed between the two snapshots, as far as it can. */
  repair(before: Snapshot, after: Snapshot): Promise<void>;
  /** Session state of the connector's pooled connection, read through the connector (null: the store has none). */
  probeSession: (() => Promise<string>) | null;
  /** Ends the connector's sessions so the next query gets a clean one (after the probe saw state left behind). */
  resetSessions(): Promise<void>;
  /** Statement timeout of a forced execution. */
  executeTimeoutMs: number;
  /**
   * Runs a query with no guard at all, inside the store's read-only mode only (a raw driver session), and returns
   * everything it returned as text. Used to prove the fingerprint sees what attacks do when nothing stops them.
   */
  unguarded: ((query: string, timeoutMs: number) => Promise<string>) | null;
  /** State the unguarded session kept after its query (settings, seeds, prepared statements …). */
  unguardedSession: (() => Promise<string>) | null;
}

/** What every store's canary (test/support/fingerprint) offers the harness. */
export interface Canary {
  readonly placeholders: Readonly<Record<string, string>>;
  /** Planted secrets by name (each canary names its own). */
  readonly secrets: object;
  snapshot(): Promise<Snapshot>;
  repair(before: Snapshot, after: Snapshot): Promise<void>;
  unguarded(query: string, timeoutMs: number): Promise<string>;
  unguardedSession(): Promise<string>;
}

/** A store under test whose fingerprint, secrets and unguarded session are its canary's. */
export function canaryStore(
  canary: Canary,
  parts: Pick<StoreUnderTest, 'store' | 'connector' | 'spec' | 'probeSession' | 'resetSessions'>,
): StoreUnderTest {
  return {
    ...parts,
    get placeholders() {
      return canary.placeholders;
    },
    secrets: () => Object.fromEntries(Object.entries(canary.secrets).map(([name, value]) => [name, String(value)])),
    snapshot: () => canary.snapshot(),
    repair: (before, after) => canary.repair(before, after),
    executeTimeoutMs: 3_000,
    unguarded: (query, timeoutMs) => canary.unguarded(query, timeoutMs),
    unguardedSession: () => canary.unguardedSession(),
  };
}

export type CheckVerdict = 'refused' | 'accepted' | 'check-error' | 'check-hung';
export type PreviewOutcome = 'not-run' | 'ok' | 'preview-limit' | 'error' | 'hung';
export type ForcedOutcome = 'skipped' | 'ran' | 'failed' | 'hung';

export interface Outcome {
  id: string;
  class: AttackClass;
  expect: 'refuse' | 'contain';
  verdict: CheckVerdict;
  reasons: string[];
  checkError?: string;
  preview: PreviewOutcome;
  previewError?: string;
  previewEffects: string[];
  previewLeaks: string[];
  forced: ForcedOutcome;
  forcedNote?: string;
  /** Server state that changed after the forced execution. */
  effects: string[];
  /** Session state left in the connector's pool. */
  sessionEffects: string[];
  /** Secrets that came back (results, notices, errors). */
  leaks: string[];
  checkMs: number;
  forcedMs: number;
}

export interface AnalyticalOutcome {
  id: string;
  topic: string;
  verdict: CheckVerdict;
  reasons: string[];
  /** Why check refused it (or how check failed). */
  checkMessage?: string;
  ran: boolean;
  error?: string;
  rows: number;
}

const SESSION = 'session';

async function withDeadline<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<{ value?: T; error?: unknown; hung: boolean }> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  const work = run(controller.signal).then(
    (value) => ({ value, hung: false }),
    (error: unknown) => ({ error, hung: false }),
  );
  try {
    const first = await Promise.race([work, deadline]);
    if (first === 'hung') {
      controller.abort();
      return { hung: true };
    }
    return first;
  } finally {
    clearTimeout(timer);
  }
}

/** Everything a caller could see of a failure: class, code, message and details. */
export function describeError(error: unknown): string {
  if (error instanceof EngineError) return `${error.constructor.name}(${error.code}): ${error.message} ${JSON.stringify(error.details ?? {})}`;
  if (error instanceof Error) return `${error.constructor.name}: ${error.message}`;
  return String(error);
}

function resultText(result: QueryResult): string {
  return JSON.stringify([result.columns.map((c) => c.name), result.rows, result.notices]);
}

const trim = (text: string, n = 300) => (text.length > n ? `${text.slice(0, n)}…` : text);

/** The server snapshot plus the connector's session state as one snapshot (facet `session`). */
async function fullSnapshot(s: StoreUnderTest): Promise<Snapshot> {
  const snapshot = await s.snapshot();
  if (s.probeSession) snapshot[SESSION] = await probeWithRetry(s);
  return snapshot;
}

async function probeWithRetry(s: StoreUnderTest): Promise<string> {
  try {
    return await s.probeSession!();
  } catch {
    // A pooled connection the attack broke may fail once; the connector should then hand out a new one.
    try {
      return await s.probeSession!();
    } catch (error) {
      return `probe failed: ${describeError(error)}`;
    }
  }
}

async function check(s: StoreUnderTest, query: string): Promise<Pick<Outcome, 'verdict' | 'reasons' | 'checkError'>> {
  const r = await withDeadline(PREVIEW_DEADLINE_MS, (signal) => s.connector.validate(query, s.spec, signal));
  if (r.hung) return { verdict: 'check-hung', reasons: [] };
  if (r.error !== undefined) {
    // A typed refusal thrown instead of returned still refuses; anything else is a checker failure.
    return { verdict: r.error instanceof PreviewLimitError ? 'refused' : 'check-error', reasons: r.error instanceof PreviewLimitError ? ['PREVIEW_LIMIT'] : [], checkError: trim(describeError(r.error)) };
  }
  const verdict = r.value as Verdict;
  return {
    verdict: verdict.allowed ? 'accepted' : 'refused',
    reasons: verdict.reasons.map((x) => x.code),
    ...(verdict.allowed ? {} : { checkError: trim(verdict.reasons.map((x) => x.message).join('; ')) }),
  };
}

/**
 * Runs every attack; keeps a baseline snapshot and, whenever something changed, repairs and takes a new one,
 * so one attack's damage is never blamed on the next.
 */
export async function runAttacks(s: StoreUnderTest, corpus: readonly Attack[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let baseline = await fullSnapshot(s);
  if (baseline[SESSION]?.startsWith('probe failed')) {
    throw new Error(`the session probe must pass the connector's own check (it runs through execute): ${baseline[SESSION]}`);
  }
  const settle = async (after: Snapshot): Promise<void> => {
    if (after[SESSION] !== baseline[SESSION]) await s.resetSessions();
    await s.repair(baseline, after);
    baseline = await fullSnapshot(s);
  };
  for (const attack of corpus) {
    const query = fill(attack.query, s.placeholders);
    if (process.env.POLYSTORE_HARNESS_TRACE) console.log(`${Math.round(performance.now())} attack ${attack.id}`);
    const outcome: Outcome = {
      id: attack.id,
      class: attack.class,
      expect: attack.expect ?? 'refuse',
      verdict: 'refused',
      reasons: [],
      preview: 'not-run',
      previewEffects: [],
      previewLeaks: [],
      forced: 'skipped',
      effects: [],
      sessionEffects: [],
      leaks: [],
      checkMs: 0,
      forcedMs: 0,
    };
    const started = performance.now();
    Object.assign(outcome, await check(s, query));
    outcome.checkMs = Math.round(performance.now() - started);

    if (outcome.verdict === 'accepted') {
      // The rest of the preview, as prepare runs it: only for what check let through.
      const r = await withDeadline(PREVIEW_DEADLINE_MS, (signal) => s.connector.explain(s.spec, query, signal));
      if (r.hung) outcome.preview = 'hung';
      else if (r.error instanceof PreviewLimitError) outcome.preview = 'preview-limit';
      else if (r.error !== undefined) {
        outcome.preview = 'error';
        outcome.previewError = trim(describeError(r.error));
        outcome.previewLeaks = findSecrets(describeError(r.error), s.secrets());
      } else {
        outcome.preview = 'ok';
        outcome.previewLeaks = findSecrets(JSON.stringify(r.value), s.secrets());
      }
      const after = await fullSnapshot(s);
      outcome.previewEffects = diffSnapshots(baseline, after);
      if (outcome.previewEffects.length) await settle(after);
    }

    if (attack.noForce) {
      outcome.forcedNote = attack.noForce;
    } else {
      const t0 = performance.now();
      const observed = await observe(s, baseline, async (signal) =>
        resultText(await s.connector.execute(s.spec, query, { timeoutMs: s.executeTimeoutMs, maxRows: 1_000, maxBytes: 4 * 1024 * 1024, signal })),
      );
      outcome.forcedMs = Math.round(performance.now() - t0);
      Object.assign(outcome, { forced: observed.ran, forcedNote: observed.note, leaks: observed.leaks });
      outcome.sessionEffects = observed.changes.filter((c) => c.startsWith(`${SESSION}:`));
      outcome.effects = observed.changes.filter((c) => !c.startsWith(`${SESSION}:`));
      if (observed.changes.length) await settle(observed.after);
    }
    outcomes.push(outcome);
    // On record as it goes: if an attack takes the process down, what ran before it is not lost.
    if (outcomes.length % 10 === 0) writeArtifact(s.store, { store: s.store, partial: true, outcomes });
  }
  return outcomes;
}

function writeArtifact(store: string, data: unknown): void {
  const dir = path.join(artifactsDir, 'security');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `read-only-${store}.json`), JSON.stringify(data, null, 2));
}

interface Observed {
  ran: ForcedOutcome;
  note: string;
  leaks: string[];
  changes: string[];
  after: Snapshot;
}

/** Runs one query by `run` (which returns what it saw as text) and compares the snapshot with `baseline`. */
async function observe(s: StoreUnderTest, baseline: Snapshot, run: (signal: AbortSignal) => Promise<string>, take = fullSnapshot): Promise<Observed> {
  const r = await withDeadline(s.executeTimeoutMs + EXECUTE_GRACE_MS, run);
  let ran: ForcedOutcome = 'hung';
  let seen = '';
  if (!r.hung && r.error !== undefined) {
    ran = 'failed';
    seen = describeError(r.error);
  } else if (!r.hung) {
    ran = 'ran';
    seen = r.value as string;
  }
  const after = await take(s);
  return { ran, note: trim(seen, ran === 'ran' ? 160 : 300), leaks: findSecrets(seen, s.secrets()), changes: diffSnapshots(baseline, after), after };
}

export interface UnguardedOutcome {
  id: string;
  class: AttackClass;
  ran: ForcedOutcome;
  note: string;
  effects: string[];
  leaks: string[];
}

/**
 * The detection self-test: every attack (except those marked noForce) straight through a raw driver session in
 * read-only mode, with no check of any kind, so the run shows which attacks really work against this server and
 * that the fingerprint sees them (a harness that sees nothing proves nothing).
 */
export async function runUnguarded(s: StoreUnderTest, corpus: readonly Attack[]): Promise<UnguardedOutcome[]> {
  const unguarded = s.unguarded;
  if (!unguarded) return [];
  const outcomes: UnguardedOutcome[] = [];
  const serverOnly = async (x: StoreUnderTest): Promise<Snapshot> => {
    const snapshot = await x.snapshot();
    if (x.unguardedSession) snapshot.unguarded_session = await x.unguardedSession().catch((error: unknown) => `probe failed: ${describeError(error)}`);
    return snapshot;
  };
  let baseline = await serverOnly(s);
  for (const attack of corpus) {
    if (attack.noForce) continue;
    const query = fill(attack.query, s.placeholders);
    if (process.env.POLYSTORE_HARNESS_TRACE) console.log(`${Math.round(performance.now())} unguarded ${attack.id}`);
    const observed = await observe(s, baseline, () => unguarded(query, s.executeTimeoutMs), serverOnly);
    outcomes.push({ id: attack.id, class: attack.class, ran: observed.ran, note: observed.note, effects: observed.changes, leaks: observed.leaks });
    if (observed.changes.length) {
      await s.repair(baseline, observed.after);
      baseline = await serverOnly(s);
    }
  }
  return outcomes;
}

/** Each listed attack, run with no guard, was seen doing harm: the fingerprint and the secrets can see that kind of harm. */
export function assertUnguardedSeen(outcomes: readonly UnguardedOutcome[], ids: readonly string[]): void {
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  fail(
    'attacks that should visibly work with no guard but were not seen (the fingerprint may be blind to them)',
    ids.filter((id) => !(byId.get(id)?.effects.length || byId.get(id)?.leaks.length)).map((id) => `  ${id}: ${byId.has(id) ? `${byId.get(id)!.ran} ${byId.get(id)!.note}` : 'not run'}`),
  );
}

export async function runAnalytical(s: StoreUnderTest, corpus: readonly AnalyticalQuery[]): Promise<AnalyticalOutcome[]> {
  const outcomes: AnalyticalOutcome[] = [];
  for (const entry of corpus) {
    const query = fill(entry.query, s.placeholders);
    const c = await check(s, query);
    const outcome: AnalyticalOutcome = { id: entry.id, topic: entry.topic, verdict: c.verdict, reasons: c.reasons, ran: false, rows: 0 };
    if (c.checkError) outcome.checkMessage = c.checkError;
    const r = await withDeadline(s.executeTimeoutMs + EXECUTE_GRACE_MS, (signal) =>
      s.connector.execute(s.spec, query, { timeoutMs: Math.max(s.executeTimeoutMs, 10_000), maxRows: 1_000, signal }),
    );
    if (r.hung) outcome.error = 'execution did not end';
    else if (r.error !== undefined) outcome.error = trim(describeError(r.error));
    else {
      outcome.ran = true;
      outcome.rows = (r.value as QueryResult).rowCount;
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

// ---- what the tests assert ----

/** Refused before approval: check refused it, or (a resource bomb) the preview stopped it at its budget. */
export const refusedBeforeApproval = (o: Outcome) => o.verdict === 'refused' || (o.class === 'resource-bomb' && o.preview === 'preview-limit');

const line = (o: Outcome, detail: string) => `  ${o.id}: ${detail}`;

function fail(title: string, lines: string[]): void {
  assert.ok(lines.length === 0, `${title} (${lines.length}):\n${lines.join('\n')}`);
}

/** Every attack of a class that must be refused was refused by check (message lists every id that was not). */
export function assertClassRefused(outcomes: readonly Outcome[], cls: AttackClass): void {
  const through = outcomes.filter((o) => o.class === cls && o.expect === 'refuse' && !refusedBeforeApproval(o));
  fail(
    `check did not refuse these ${cls} attacks`,
    through.map((o) => line(o, `${o.verdict}${o.checkError ? ` (${o.checkError})` : ''}; forced: ${o.forced}${o.effects.length ? `; changed ${o.effects.join('; ')}` : ''}${o.leaks.length ? `; leaked ${o.leaks.join(', ')}` : ''}`)),
  );
}

/** What check accepted must do no harm when it runs: no side effects, no secrets, nothing left in the session. */
export function assertAcceptedHarmless(outcomes: readonly Outcome[]): void {
  const harmful = outcomes.filter(
    (o) => !refusedBeforeApproval(o) && (o.previewEffects.length || o.previewLeaks.length || o.effects.length || o.leaks.length || o.sessionEffects.length),
  );
  fail(
    'attacks check accepted that changed the server or read beyond the source',
    harmful.map((o) =>
      line(o, [...o.previewEffects.map((e) => `preview changed ${e}`), ...o.previewLeaks.map((l) => `preview leaked ${l}`), ...o.effects.map((e) => `changed ${e}`), ...o.leaks.map((l) => `leaked ${l}`), ...o.sessionEffects.map((e) => `left ${e}`)].join('; ')),
    ),
  );
}

/** Layer 2 on its own: whatever ran, the connector's pooled session is as it was. */
export function assertNoSessionState(outcomes: readonly Outcome[]): void {
  fail('forced executions that left state in the connector\'s session', outcomes.filter((o) => o.sessionEffects.length).map((o) => line(o, o.sessionEffects.join('; '))));
}

/** Nothing hung: the checker, the preview and forced execution all ended by their deadlines. */
export function assertBounded(outcomes: readonly Outcome[]): void {
  fail(
    'attacks whose check, preview or execution did not end by its deadline',
    outcomes
      .filter((o) => o.verdict === 'check-hung' || o.preview === 'hung' || o.forced === 'hung')
      .map((o) => line(o, `check ${o.verdict}, preview ${o.preview}, forced ${o.forced}`)),
  );
}

/**
 * Layer 2 on its own, strictly: forced execution of every attack (refused or not) changed nothing and read nothing
 * beyond the source. A superuser login can read its own catalogs inside a read-only transaction, so this holds because
 * every connector's execute judges the query again before it runs.
 */
export function assertForcedHarmless(outcomes: readonly Outcome[]): void {
  fail(
    'forced executions that changed the server or read beyond the source',
    outcomes.filter((o) => o.effects.length || o.leaks.length).map((o) => line(o, [...o.effects.map((e) => `changed ${e}`), ...o.leaks.map((l) => `leaked ${l}`)].join('; '))),
  );
}

export function assertAnalyticalAccepted(outcomes: readonly AnalyticalOutcome[]): void {
  fail('analytical reads check refused', outcomes.filter((o) => o.verdict !== 'accepted').map((o) => `  ${o.id} (${o.topic}): ${o.verdict} ${o.reasons.join(',')} ${o.checkMessage ?? ''}`));
}

export function assertAnalyticalRan(outcomes: readonly AnalyticalOutcome[]): void {
  fail('analytical reads that failed to run', outcomes.filter((o) => !o.ran).map((o) => `  ${o.id} (${o.topic}): ${o.error ?? ''}`));
}

export const classesIn = (outcomes: readonly Outcome[]) => ATTACK_CLASSES.filter((c) => outcomes.some((o) => o.class === c));

/** A per-class table on stdout and every record in test-artifacts/security/, for reviewers. */
export function report(store: string, outcomes: readonly Outcome[], analyticalOutcomes: readonly AnalyticalOutcome[], unguarded: readonly UnguardedOutcome[] = []): string {
  const rows = classesIn(outcomes).map((cls) => {
    const of = outcomes.filter((o) => o.class === cls);
    const refused = of.filter(refusedBeforeApproval).length;
    const forced = of.filter((o) => o.forced !== 'skipped');
    const harmful = forced.filter((o) => o.effects.length || o.leaks.length || o.sessionEffects.length);
    return `  ${cls.padEnd(15)} ${String(of.length).padStart(4)} attacks  ${String(refused).padStart(4)} refused by check  ${String(forced.length).padStart(4)} forced  ${String(harmful.length).padStart(4)} harmful when forced`;
  });
  const accepted = analyticalOutcomes.filter((o) => o.verdict === 'accepted').length;
  const text = [
    `${store}: ${outcomes.length} attacks, ${outcomes.filter(refusedBeforeApproval).length} refused before approval; ${analyticalOutcomes.length} analytical reads, ${accepted} accepted, ${analyticalOutcomes.filter((o) => o.ran).length} ran`,
    ...rows,
    '  got through check and did harm: ' + (outcomes.filter((o) => !refusedBeforeApproval(o) && (o.effects.length || o.leaks.length || o.sessionEffects.length || o.previewEffects.length)).map((o) => o.id).join(', ') || 'none'),
    '  harmful when forced through execute (check bypassed): ' + (outcomes.filter((o) => o.effects.length || o.leaks.length || o.sessionEffects.length).map((o) => o.id).join(', ') || 'none'),
    `  with no guard at all (raw session, read-only mode): ${unguarded.length} run, ${unguarded.filter((o) => o.effects.length || o.leaks.length).length} seen doing harm`,
  ].join('\n');
  writeArtifact(store, { store, outcomes, analytical: analyticalOutcomes, unguarded });
  return text;
}

// ---- the uvu suite every store's file registers ----

export interface ReadOnlySuite {
  store: string;
  attacks: readonly Attack[];
  analytical: readonly AnalyticalQuery[];
  /**
   * Attacks that really work on this server when nothing stops them, at least one for every kind of harm the
   * fingerprint watches: the harness must see each one, or it could not see them get through either. With
   * POLYSTORE_UNGUARDED=all the whole corpus runs unguarded (slower; the report then says which attacks work at all).
   */
  seenWithoutGuard: readonly string[];
  /** Builds the canary and the store under test; `close` undoes everything. */
  open(): Promise<{ store: StoreUnderTest; afterAnalytical?: () => Promise<void>; close(): Promise<void> }>;
}

/**
 * Registers the read-only tests of one store: check refuses every attack (one test per class, listing every id
 * that got through), what check accepted did no harm, nothing was left in the connector's session, everything
 * ended by its deadline, the fingerprint sees unguarded attacks, every analytical read is accepted and runs.
 */
export function registerReadOnlySuite(test: Test, suite: ReadOnlySuite): void {
  let outcomes: Outcome[] = [];
  let reads: AnalyticalOutcome[] = [];
  let unguarded: UnguardedOutcome[] = [];
  let opened: Awaited<ReturnType<ReadOnlySuite['open']>> | null = null;

  test.before(async () => {
    try {
      opened = await suite.open();
      const { store } = opened;
      // Analytical reads first, on the untouched canary.
      reads = await runAnalytical(store, suite.analytical);
      await opened.afterAnalytical?.();
      outcomes = await runAttacks(store, suite.attacks);
      const all = process.env.POLYSTORE_UNGUARDED === 'all';
      unguarded = await runUnguarded(store, all ? suite.attacks : suite.attacks.filter((a) => suite.seenWithoutGuard.includes(a.id)));
      console.log(report(suite.store, outcomes, reads, unguarded));
    } catch (error) {
      // uvu reports a failing hook poorly: say what failed before the file stops.
      console.error('the read-only harness could not run:', error);
      throw error;
    }
  });
  test.after(async () => {
    await opened?.close();
  });

  for (const cls of ATTACK_CLASSES.filter((c) => suite.attacks.some((a) => a.class === c))) {
    test(`check refuses every ${cls} attack`, () => assertClassRefused(outcomes, cls));
  }
  test('what check accepted changed nothing and read nothing beyond the source', () => assertAcceptedHarmless(outcomes));
  test("no forced execution left state in the connector's session", () => assertNoSessionState(outcomes));
  test('check, preview and forced execution end by their deadlines', () => assertBounded(outcomes));
  test('forced execution alone changed nothing and read nothing beyond the source', () => assertForcedHarmless(outcomes));
  test('the fingerprint sees what the attacks do when nothing stops them', () => assertUnguardedSeen(unguarded, suite.seenWithoutGuard));
  test('every analytical read is accepted by check', () => assertAnalyticalAccepted(reads));
  test('every analytical read runs', () => assertAnalyticalRan(reads));
}

/** A one-row probe result as `column=value` lines; `rewrite` turns a column's raw value into a stable description. */
export function probeText(result: QueryResult, rewrite: Record<string, (value: unknown) => string> = {}): string {
  const row = result.rows[0] ?? [];
  return result.columns.map((c, i) => `${c.name}=${rewrite[c.name] ? rewrite[c.name]!(row[i]) : String(row[i] ?? 'null')}`).join('\n');
}
