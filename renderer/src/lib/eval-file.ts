/**
 * A golden-question file as the Evaluate page reads it: its lines, checked
 * against the limits of `eval.run` before anything is sent, and a preview of
 * how many lines hold a question. A line that is not a question is not
 * refused here: the engine scores it as an error record naming its line, and
 * the other questions still run. A file that is not JSON lines at all, or
 * past a limit, is refused whole with a typed error.
 */
import { EvalLine, MAX_EVAL_LINE_CHARS, MAX_EVAL_LINES } from '../../../engine/contract/index';

/**
 * The largest file the page sends. The browser host closes a bridge message
 * over 4 MiB (main/browser-host/server.ts), and the lines travel as one
 * JSON-escaped array, so the encoded size is checked against this too.
 */
export const MAX_GOLDEN_FILE_BYTES = 3.5 * 1024 * 1024;
/** Bad lines named in the preview; the run's records name them all. */
const LISTED_BAD_LINES = 5;

export type GoldenFileErrorCode = 'EMPTY' | 'NOT_JSONL' | 'TOO_MANY_LINES' | 'LINE_TOO_LONG' | 'TOO_LARGE' | 'UNREADABLE';

export interface GoldenFileError {
  code: GoldenFileErrorCode;
  message: string;
  /** The 1-based line the error is about, when there is one. */
  line?: number;
}

export interface BadLine {
  line: number;
  reason: string;
}

export interface GoldenFile {
  name: string;
  /** The lines as sent to eval.run (trailing blank lines dropped; the engine skips blank ones and numbers the rest as in the file). */
  lines: string[];
  /** Lines that parse as a question with its gold answer. */
  questions: number;
  /** The first few lines that do not (they become error records). */
  badLines: BadLine[];
  badLineCount: number;
}

export type GoldenFileResult = { ok: true; file: GoldenFile } | { ok: false; error: GoldenFileError };

export const FORMAT_HINT = 'Write one JSON object a line: {"id"?, "question", "gold_sql"? or "rows"?, "ordered"?}.';

const fail = (code: GoldenFileErrorCode, message: string, line?: number): GoldenFileResult => ({ ok: false, error: { code, message, ...(line !== undefined ? { line } : {}) } });

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/** Refuses a file by its size before it is read (a 2 GB file is not read into the page). */
export function checkFileSize(name: string, bytes: number): GoldenFileError | null {
  if (bytes <= MAX_GOLDEN_FILE_BYTES) return null;
  return { code: 'TOO_LARGE', message: `${name} is ${megabytes(bytes)}; the page sends at most ${megabytes(MAX_GOLDEN_FILE_BYTES)}. Split it into smaller files, or run it with polystore eval.` };
}

/** Why a line is not a question, or null when it is one. */
function lineProblem(text: string): string | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return 'not a JSON object';
  const parsed = EvalLine.safeParse(json);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return issue ? `${issue.path.join('.') || 'line'}: ${issue.message}` : 'not a question';
}

function isJsonArray(text: string): boolean {
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}

/** The file's text as lines for eval.run, or the typed reason it cannot be sent. */
export function readGoldenFile(name: string, text: string): GoldenFileResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const filled = lines.map((t, i) => ({ line: i + 1, text: t })).filter((l) => l.text.trim() !== '');
  if (filled.length === 0) return fail('EMPTY', `${name} has no questions. ${FORMAT_HINT}`);
  if (lines.length > MAX_EVAL_LINES) return fail('TOO_MANY_LINES', `${name} has ${lines.length.toLocaleString('en-US')} lines; at most ${MAX_EVAL_LINES.toLocaleString('en-US')} are evaluated at once. Split it into smaller files.`);
  const long = filled.find((l) => l.text.length > MAX_EVAL_LINE_CHARS);
  if (long) return fail('LINE_TOO_LONG', `Line ${long.line} of ${name} is ${long.text.length.toLocaleString('en-US')} characters long; a line may hold at most ${MAX_EVAL_LINE_CHARS.toLocaleString('en-US')}.`, long.line);
  const encoded = new TextEncoder().encode(JSON.stringify(lines)).length;
  if (encoded > MAX_GOLDEN_FILE_BYTES) return fail('TOO_LARGE', checkFileSize(name, encoded)!.message);

  const bad: BadLine[] = [];
  let questions = 0;
  for (const { line, text: t } of filled) {
    const reason = lineProblem(t);
    if (reason === null) questions++;
    else bad.push({ line, reason });
  }
  if (questions === 0) {
    const array = isJsonArray(text.trim());
    const why = array ? 'it is one JSON array, not one object a line' : `no line holds a question (line ${bad[0]!.line}: ${bad[0]!.reason})`;
    return fail('NOT_JSONL', `${name} is not a golden-question file: ${why}. ${FORMAT_HINT}`, array ? undefined : bad[0]!.line);
  }
  return { ok: true, file: { name, lines, questions, badLines: bad.slice(0, LISTED_BAD_LINES), badLineCount: bad.length } };
}

/** The tiny example the empty state shows (and a user can copy). */
export const EXAMPLE_GOLDEN_FILE = [
  '{"id": "albums", "question": "How many albums are there?", "rows": [[347]]}',
  '{"id": "artists", "question": "How many artists are there?", "gold_sql": "SELECT count(*) FROM artist"}',
].join('\n');
