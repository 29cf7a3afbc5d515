import type { NormalizedType } from '../../../engine/contract/index';
import { isNumericType } from './chat-format';

/**
 * How result values read to people: column names as words, numbers rounded
 * and grouped in the user's locale, dates as dates. The raw value stays
 * available (hover, export); only the display changes.
 */

/** "avg_milliseconds_min" → "Avg milliseconds min", "address.city" → "Address city", "unitPrice" → "Unit price". */
export function columnTitle(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.\s]+/g, ' ')
    .trim()
    .toLowerCase();
  if (!words) return name;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)?$/;

/** Integers that name or date things read without thousands separators: ids, codes, years. */
const UNGROUPED_NAME = /(^_?id$)|(_id$)|([a-z0-9]Id$)|(ID$)|(^|_)(key|code|zip|postal_?code|phone|year|yr)$|[a-z]Year$/;

/** A cell as a number (exact decimals and big integers arrive as text), or null. */
export function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) return Number(value);
  return null;
}

/** Epoch milliseconds of an ISO date or timestamp cell, or null. A bare date is a calendar day (UTC). */
export function timeOf(value: unknown): number | null {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return null;
  const text = value.length === 7 ? `${value}-01` : value;
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}

/** Days at midnight UTC are calendar dates: shown without a time and without shifting to the local zone. */
function isCalendarDay(ms: number): boolean {
  return ms % 86_400_000 === 0;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = JSON.stringify(options);
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(undefined, options)));
  return format;
}

/** 48.5297173076923077 → "48.53", 0.000123 → "0.000123", 1234567 → "1,234,567" (in the user's locale). */
export function formatNumber(n: number, options: { grouping?: boolean; compact?: boolean } = {}): string {
  const grouping = options.grouping ?? true;
  if (options.compact && Math.abs(n) >= 10_000) return numberFormat({ notation: 'compact', maximumFractionDigits: 1 }).format(n);
  const abs = Math.abs(n);
  const fraction = Number.isInteger(n) ? 0 : abs >= 1 ? 2 : abs >= 0.01 ? 4 : 6;
  if (abs !== 0 && abs < 1e-6) return n.toExponential(2);
  return numberFormat({ maximumFractionDigits: fraction, useGrouping: grouping }).format(n);
}

const dateOnly = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
const dateTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** A date or timestamp as the user's locale writes it. */
export function formatTime(ms: number, type: NormalizedType): string {
  return type === 'date' || isCalendarDay(ms) ? dateOnly.format(ms) : dateTime.format(ms);
}

export type CellKind = 'null' | 'number' | 'boolean' | 'json' | 'text' | 'date';

export interface DisplayCell {
  text: string;
  kind: CellKind;
  /** The value exactly as it arrived, shown on hover when the display differs. */
  raw: string | null;
}

function rawText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * A cell for the results table: numbers formatted (grouped unless the column
 * names an id or year), dates in the locale, nulls marked, documents as JSON.
 * `raw` holds the original when it reads differently.
 */
export function displayCell(value: unknown, type: NormalizedType, columnName: string): DisplayCell {
  if (value === null || value === undefined) return { text: 'null', kind: 'null', raw: null };
  if (typeof value === 'boolean') return { text: String(value), kind: 'boolean', raw: null };
  if (isNumericType(type) || typeof value === 'number') {
    const n = numberOf(value);
    if (n === null) return { text: rawText(value), kind: 'text', raw: null };
    // Beyond 2^53 a number cannot hold the digits: the exact text is shown as it is.
    if (typeof value === 'string' && Number.isInteger(n) && !Number.isSafeInteger(n)) return { text: value, kind: 'number', raw: null };
    const text = formatNumber(n, { grouping: !UNGROUPED_NAME.test(columnName.split('.').pop() ?? columnName) });
    const raw = rawText(value);
    return { text, kind: 'number', raw: raw === text ? null : raw };
  }
  if (type === 'date' || type === 'timestamp' || type === 'timestamptz') {
    const ms = timeOf(value);
    if (ms !== null) return { text: formatTime(ms, type), kind: 'date', raw: rawText(value) };
  }
  if (typeof value === 'string') return { text: value, kind: 'text', raw: value.length > 40 ? value : null };
  const json = rawText(value);
  return { text: json, kind: 'json', raw: json.length > 40 ? json : null };
}
