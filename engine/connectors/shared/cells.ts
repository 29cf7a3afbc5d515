/**
 * Conversions to JSON-safe cells (see `Cell` in the query contract): no
 * silent precision loss, dates as ISO-8601 text, binary as `\x` hex.
 */

/** An integer as a number when it is exactly representable, else its decimal text. */
export function integerCell(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** Floats as numbers; NaN and infinities (not JSON) as their text. */
export function floatCell(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

export function hexCell(bytes: Uint8Array): string {
  return `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** `2024-01-02 03:04:05.6` (SQL) to `2024-01-02T03:04:05.6` (ISO-8601, no zone). */
export function localTimestampCell(text: string): string {
  return text.length > 10 && text[10] === ' ' ? `${text.slice(0, 10)}T${text.slice(11)}` : text;
}

const ZONED = /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(\.\d+)?([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$/;

/**
 * A timestamp with an offset (`2024-01-02 03:04:05.123456+02`, as PostgreSQL
 * prints timestamptz) as UTC ISO-8601 with every fractional digit kept:
 * `2024-01-02T01:04:05.123456Z`. Text it cannot read (infinity, BC dates)
 * comes back unchanged.
 */
export function zonedTimestampCell(text: string): string {
  const m = ZONED.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, frac = '', sign, oh, om = '0', os = '0'] = m;
  const offsetSeconds = (Number(oh) * 3600 + Number(om) * 60 + Number(os)) * (sign === '-' ? -1 : 1);
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetSeconds * 1000;
  const date = new Date(utc);
  if (Number.isNaN(date.getTime())) return text;
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear puts them back.
  if (Number(y) < 100) date.setUTCFullYear(date.getUTCFullYear() - 1900);
  const iso = date.toISOString(); // yyyy-mm-ddThh:mm:ss.sssZ (or ±yyyyyy-…)
  return `${iso.slice(0, iso.indexOf('.'))}${frac}Z`;
}

/**
 * Converts, in place, the columns that have a converter; null cells stay
 * null. Plain indexed loops: this runs for every cell of up to rowLimit rows.
 */
export function convertColumns<V>(rows: unknown[][], converters: Array<((value: V) => unknown) | null>): void {
  for (let c = 0; c < converters.length; c++) {
    const convert = converters[c];
    if (!convert) continue;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      const value = row[c];
      if (value !== null && value !== undefined) row[c] = convert(value as V);
    }
  }
}
