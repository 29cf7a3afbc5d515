/**
 * How long a rate-limited caller should wait, from whichever header the
 * provider sent: `retry-after-ms`, `retry-after` (seconds or an HTTP date),
 * Anthropic's `anthropic-ratelimit-*-reset` (RFC 3339 times) or OpenAI's
 * `x-ratelimit-reset-*` (durations such as "6m0s" or "20ms"). For the
 * per-limit headers the exhausted limit decides (remaining = 0), else the
 * latest reset.
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));

  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const value = retryAfter.trim();
    if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }

  const resets: Array<{ ms: number; exhausted: boolean }> = [];
  for (const [name, value] of headers) {
    const anthropic = /^anthropic-ratelimit-([a-z-]+)-reset$/.exec(name);
    if (anthropic) {
      const date = Date.parse(value);
      if (!Number.isNaN(date)) resets.push({ ms: Math.max(0, date - now), exhausted: headers.get(`anthropic-ratelimit-${anthropic[1]}-remaining`) === '0' });
      continue;
    }
    const openai = /^x-ratelimit-reset-([a-z-]+)$/.exec(name);
    if (openai) {
      const duration = parseDuration(value);
      if (duration !== undefined) resets.push({ ms: duration, exhausted: headers.get(`x-ratelimit-remaining-${openai[1]}`) === '0' });
    }
  }
  const relevant = resets.some((r) => r.exhausted) ? resets.filter((r) => r.exhausted) : resets;
  return relevant.length ? Math.max(...relevant.map((r) => r.ms)) : undefined;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

/** Go-style durations ("1h2m3.5s", "20ms") as OpenAI sends them; a bare number means seconds. */
export function parseDuration(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== value) return undefined;
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0));
}
