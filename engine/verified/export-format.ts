import { VerifiedExportLine, type Dialect, type VerifiedAnswer } from '../contract/index';
import { describeZodError, ValidationError } from '../errors';

/** Each line of an import is checked by the guardrail, one after another: a file past this many pairs is refused before any check. */
export const MAX_IMPORT_LINES = 5_000;

/** A line of an export file that parsed, with its 1-based line number for messages. */
export interface ParsedLine extends VerifiedExportLine {
  line: number;
}

/** One pair as one JSON line: the wording, the query and its dialect; nothing else leaves. */
export function exportLine(answer: Pick<VerifiedAnswer, 'question' | 'query' | 'dialect'>): string {
  const line: VerifiedExportLine = { v: 1, question: answer.question, query: answer.query, dialect: answer.dialect };
  return JSON.stringify(line);
}

function lineError(line: number, message: string, details: Record<string, unknown> = {}): ValidationError {
  return new ValidationError(`Line ${line}: ${message} Nothing was imported.`, { field: 'jsonl', line, ...details });
}

/** Parses one line; a line that is not a valid pair is a ValidationError naming it. */
export function parseExportLine(text: string, line: number): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw lineError(line, 'is not JSON.');
  }
  const parsed = VerifiedExportLine.safeParse(value);
  if (!parsed.success) throw lineError(line, `is not a verified answer (${describeZodError(parsed.error)}).`);
  return { ...parsed.data, line };
}

/**
 * Every non-blank line of an export file, for a source of the given dialect.
 * The first bad line stops the import (it is named); none is skipped quietly.
 */
export function parseExportFile(jsonl: string, dialect: Dialect): ParsedLine[] {
  const lines: ParsedLine[] = [];
  const texts = jsonl.split(/\r?\n/);
  const pairs = texts.filter((t) => t.trim()).length;
  if (pairs > MAX_IMPORT_LINES) {
    throw new ValidationError(`The file has ${pairs} verified answers; import at most ${MAX_IMPORT_LINES} at a time. Nothing was imported.`, { field: 'jsonl', lines: pairs });
  }
  texts.forEach((text, index) => {
    if (!text.trim()) return;
    const parsed = parseExportLine(text, index + 1);
    if (parsed.dialect !== dialect) throw lineError(parsed.line, `is a ${parsed.dialect} query, and this source takes ${dialect} queries.`, { dialect: parsed.dialect });
    lines.push(parsed);
  });
  return lines;
}
