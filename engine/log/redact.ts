/**
 * Removes secrets from text before it is logged, stored or shown. Two layers:
 * exact values the engine knows are secret (registered when read from the
 * keychain or handed to a job), and patterns that look like credentials.
 */
const PATTERNS: Array<[RegExp, string]> = [
  // scheme://user:password@host
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)(@)/gi, '$1***$3'],
  // password=..., pwd: ..., "password": "..."
  [/((?:password|passwd|pwd|secret|api[_-]?key|token)["']?\s*[:=]\s*["']?)([^"'\s,;&}]+)/gi, '$1***'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g, '$1***'],
  [/\b(sk-(?:ant-)?[A-Za-z0-9_-]{12,})\b/g, '***'],
];

const MIN_SECRET_LENGTH = 3;

export class Redactor {
  readonly #known = new Set<string>();

  /** Remembers a secret value so any later text containing it gets masked. */
  register(secret: string | null | undefined): void {
    if (secret && secret.length >= MIN_SECRET_LENGTH) this.#known.add(secret);
  }

  forget(secret: string): void {
    this.#known.delete(secret);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of [...this.#known].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join('***');
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join('***');
    }
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  }

  /** Deep-redacts strings inside plain data (for log fields and error details). */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T;
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactValue(v);
      return out as T;
    }
    return value;
  }
}

/** One per thread: the host's main thread and each worker have their own. */
export const redactor = new Redactor();
