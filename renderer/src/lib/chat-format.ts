import type { ConfidenceScale, Dialect, ExplainEstimate, MessagePayload, NormalizedType, QueryAuthor, SourceTypeInfo } from '../../../engine/contract/index';

export type CellKind = 'null' | 'number' | 'boolean' | 'json' | 'text';

export interface FormattedCell {
  text: string;
  kind: CellKind;
}

const NUMERIC: ReadonlySet<NormalizedType> = new Set(['integer', 'decimal', 'float']);

/** Columns whose cells line up on the right. */
export function isNumericType(type: NormalizedType): boolean {
  return NUMERIC.has(type);
}

/** Floats computed by the store (averages, ratios) carry binary noise past ~12 digits. */
function tidyFloat(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(12)));
}

/**
 * A cell as the tables show it. Cells arrive JSON-safe (see Cell in the
 * contract): big integers and decimals as exact strings, which stay untouched,
 * dates as ISO strings, documents and arrays as JSON values shown compactly.
 */
export function formatCell(value: unknown, type: NormalizedType): FormattedCell {
  if (value === null || value === undefined) return { text: 'null', kind: 'null' };
  if (typeof value === 'number') return { text: type === 'float' ? tidyFloat(value) : String(value), kind: 'number' };
  if (typeof value === 'bigint') return { text: value.toString(), kind: 'number' };
  if (typeof value === 'boolean') return { text: String(value), kind: 'boolean' };
  if (typeof value === 'string') return { text: value, kind: isNumericType(type) ? 'number' : 'text' };
  try {
    return { text: JSON.stringify(value), kind: 'json' };
  } catch {
    return { text: String(value), kind: 'text' };
  }
}

/** "2.8 ms", "340 ms", "1.2 s", "2 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)} min ${total % 60} s`;
}

const counter = new Intl.NumberFormat('en-US');

/** "1 row", "10,000 rows". */
export function formatRows(n: number): string {
  return `${counter.format(n)} ${n === 1 ? 'row' : 'rows'}`;
}

export function formatCount(n: number): string {
  return counter.format(n);
}

/** "≈ 1 row · cost 10.9", or null when the store gave no numbers. */
export function formatEstimate(explain: ExplainEstimate | null): string | null {
  if (!explain) return null;
  const parts: string[] = [];
  if (explain.estimatedRows !== null) parts.push(`≈ ${formatRows(Math.round(explain.estimatedRows))}`);
  if (explain.estimatedCost !== null) parts.push(`cost ${explain.estimatedCost < 100 ? Number(explain.estimatedCost.toPrecision(3)) : counter.format(Math.round(explain.estimatedCost))}`);
  return parts.length ? parts.join(' · ') : null;
}

export type Tone = 'ok' | 'warn' | 'danger';

type QueryPayload = Extract<MessagePayload, { kind: 'query' }>;

export interface ConfidenceBadge {
  label: string;
  tone: Tone;
  /** What the number means, for the badge's tooltip. */
  title: string;
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

function calibratedBadge(confidence: number, scale: ConfidenceScale): ConfidenceBadge {
  const pct = percent(confidence);
  const level: Pick<ConfidenceBadge, 'label' | 'tone'> =
    confidence >= scale.confidentAt
      ? { label: `Confident (${pct})`, tone: 'ok' }
      : confidence >= scale.unsureBelow
        ? { label: `Check this (${pct})`, tone: 'warn' }
        : { label: `Unsure (${pct})`, tone: 'danger' };
  const rightInTen = Math.round(scale.confidentPrecision * 10);
  const title =
    `The planner's estimate that this query answers the question. ` +
    `On questions like its development set, about ${rightInTen} in 10 answers shown as confident (${percent(scale.confidentAt)} or more) were right; ` +
    `below ${percent(scale.unsureBelow)}, most were wrong. Your database may differ: read the query before approving it.`;
  return { ...level, title };
}

/**
 * The confidence badge of a query. A calibrated number (the offline planner's,
 * with its scale from the engine) is worded by the engine's levels; any other
 * (a model's own estimate, or one stored before calibration) is shown as an
 * estimate nobody measured, and toned to be checked.
 */
export function formatConfidence(p: Pick<QueryPayload, 'confidence' | 'confidenceScale' | 'author'>): ConfidenceBadge | null {
  if (p.confidence === null) return null;
  if (p.confidenceScale) return calibratedBadge(p.confidence, p.confidenceScale);
  const who = p.author.kind === 'model' ? 'the model' : 'the planner';
  return {
    label: `Estimate (${percent(p.confidence)})`,
    tone: 'warn',
    title: `How sure ${who} said it was. This number was not measured against known answers: read the query before approving it.`,
  };
}

/** A query language's name as the engine gives it in `sources.types`; the raw name until those have loaded. */
export function dialectLabel(dialect: Dialect, types: ReadonlyArray<Pick<SourceTypeInfo, 'dialect' | 'dialectLabel'>>): string {
  return types.find((t) => t.dialect === dialect)?.dialectLabel ?? dialect;
}

/** Who wrote a query, in the words the card uses. */
export function authorLabel(author: QueryAuthor): string {
  if (author.kind === 'offline') return 'Offline planner';
  if (author.kind === 'user') return 'You';
  if (author.kind === 'verified') return 'your verified answers';
  return author.model ? `${author.model} (${author.provider})` : author.provider;
}

/** "just now", "5 min ago", "3 h ago", "yesterday", then the date. */
export function formatRelative(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  if (s < 2 * 86_400) return 'yesterday';
  return new Date(t).toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: new Date(t).getFullYear() === new Date(now).getFullYear() ? undefined : 'numeric' });
}
