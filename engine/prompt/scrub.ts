import { redactor } from '../log/redact';

export const REDACTED = '[redacted]';

/**
 * Credentials that have a recognizable shape. The engine's redactor already
 * masks registered secrets, URL user-info, `password=`-style pairs, Bearer
 * tokens and OpenAI/Anthropic keys; these cover what else tends to sit in
 * comments, sample values and notes.
 */
const SECRET_PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  // JWT: header.payload.signature, base64url, header starting with {"
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{30,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g,
  /\b(?:sk|pk)-[A-Za-z0-9_-]{20,}\b/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\bhf_[A-Za-z0-9]{30,}\b/g,
  // Authorization: Basic <base64>
  /\b(Basic\s+)[A-Za-z0-9+/=]{12,}/g,
  // key: value pairs the redactor's list does not name.
  /\b((?:passphrase|credentials?|client[_-]?secret|private[_-]?key|access[_-]?key(?:[_-]?id)?|auth[_-]?key|session[_-]?id|connection[_-]?string|conn[_-]?str|dsn)["']?\s*[:=]\s*["']?)[^"'\s,;&}]+/gi,
  // A URL whose query string carries a credential.
  /([?&](?:key|api[_-]?key|token|access_token|sig|signature|password|secret|auth)=)[^&\s"']+/gi,
];

/** Runs of 20+ token characters; the lookbehind starts matching only at a run's start, keeping the scan linear. */
const TOKEN_RUN = /(?<![A-Za-z0-9+/_=.-])[A-Za-z0-9+/_=.-]{20,}/g;

/** Connection-string shapes (DSN with a password) that have no scheme:// form. */
const DSN_PASSWORD = /\b((?:Password|Pwd)\s*=\s*)[^;"'\s]+/gi;

/**
 * Masks anything that looks like a credential in text bound for a prompt:
 * registered secrets and the redactor's patterns first, then the shapes
 * above, then long random-looking tokens.
 */
export function scrubText(text: string): string {
  let out = redactor.redact(text).replaceAll('***', REDACTED);
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix: unknown) => (typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}${REDACTED}` : REDACTED));
  }
  out = out.replace(DSN_PASSWORD, `$1${REDACTED}`);
  return out.replace(TOKEN_RUN, (token) => (looksRandom(token) ? REDACTED : token));
}

/** True when a value is, or contains, something secret-looking (what scrubText would mask). */
export function containsSecret(value: string): boolean {
  if (redactor.redact(value) !== value) return true;
  for (const pattern of [...SECRET_PATTERNS, DSN_PASSWORD]) {
    pattern.lastIndex = 0;
    if (pattern.test(value)) return true;
  }
  return hasRandomToken(value);
}

/** Scans runs of token characters by hand: on long texts this is several times faster than TOKEN_RUN. */
function hasRandomToken(text: string): boolean {
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const inRun = i < text.length && isTokenChar(text.charCodeAt(i));
    if (inRun && start < 0) start = i;
    else if (!inRun && start >= 0) {
      if (i - start >= 20 && looksRandom(text.slice(start, i))) return true;
      start = -1;
    }
  }
  return false;
}

function isTokenChar(c: number): boolean {
  // A-Z a-z 0-9 + / _ = . -
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 95 || c === 61 || c === 46 || c === 45;
}

/**
 * The texts (of many) that contain something secret-looking. Distinct texts
 * are checked in newline-joined chunks first: every pattern that matches
 * inside one text also matches inside the chunk, so a clean chunk (the usual
 * case) clears hundreds of names in one pass, and only a flagged chunk is
 * checked text by text.
 */
export function findSecrets(texts: Iterable<string>): Set<string> {
  // Schemas repeat names (id, name, created_at) thousands of times: each distinct text is checked once.
  const distinct = [...new Set(texts)];
  const secret = new Set<string>();
  for (let start = 0; start < distinct.length; start += CHUNK) {
    const chunk = distinct.slice(start, start + CHUNK);
    if (!containsSecret(chunk.join('\n'))) continue;
    for (const text of chunk) if (containsSecret(text)) secret.add(text);
  }
  return secret;
}

const CHUNK = 256;

/**
 * Columns whose values are credentials by nature: their sample values never
 * enter a prompt, whatever they look like.
 */
export function isSecretFieldName(name: string): boolean {
  const n = name.toLowerCase();
  return (
    /pass(word|wd|phrase)|secret|token|api_?key|private_?key|credential|authoriz|auth_?(key|code)|cookie|signature|jwt|totp|card_?number|iban/.test(n) ||
    /(^|[^a-z])(pwd|salt|hash|hashed|otp|mfa|pin|cvv|cvc|ssn)($|[^a-z])/.test(n)
  );
}

/**
 * High-entropy tokens: long, mixing upper case, lower case and digits with
 * frequent switches between them. Words, snake_case and camelCase identifiers
 * switch class only at word boundaries; generated keys switch constantly.
 */
function looksRandom(token: string): boolean {
  if (token.length < 20 || token.includes(REDACTED)) return false;
  const core = token.replace(/[+/_=.-]/g, '');
  if (core.length < 20 || !/[a-z]/.test(core) || !/[A-Z]/.test(core) || !/\d/.test(core)) return false;
  let switches = 0;
  for (let i = 1; i < core.length; i++) if (charClass(core[i]!) !== charClass(core[i - 1]!)) switches++;
  return switches / core.length >= 0.3 && entropy(core) >= 3.5;
}

function charClass(c: string): number {
  return c >= 'a' && c <= 'z' ? 0 : c >= 'A' && c <= 'Z' ? 1 : 2;
}

function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}
