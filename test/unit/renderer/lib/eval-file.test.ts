import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_EVAL_LINE_CHARS, MAX_EVAL_LINES } from '../../../../engine/contract/index';
import { EXAMPLE_GOLDEN_FILE, MAX_GOLDEN_FILE_BYTES, checkFileSize, readGoldenFile, type GoldenFileResult } from '../../../../renderer/src/lib/eval-file';

const ok = (r: GoldenFileResult) => {
  if (!r.ok) throw new Error(`expected a file, got ${r.error.code}: ${r.error.message}`);
  return r.file;
};
const code = (r: GoldenFileResult) => (r.ok ? 'ok' : r.error.code);

test('a golden file becomes its lines as written; trailing blank lines and a byte order mark are dropped, CRLF is read', () => {
  const text = '\uFEFF{"question": "How many albums?", "rows": [[347]]}\r\n\r\n{"id": 2, "question": "Artists?", "gold_sql": "SELECT count(*) FROM artist"}\r\n\r\n';
  const file = ok(readGoldenFile('golden.jsonl', text));
  assert.equal(file.lines, ['{"question": "How many albums?", "rows": [[347]]}', '', '{"id": 2, "question": "Artists?", "gold_sql": "SELECT count(*) FROM artist"}']);
  assert.equal([file.name, file.questions, file.badLineCount], ['golden.jsonl', 2, 0]);
});

test('a bad line is kept for the engine to score as an error, and the preview names it and why', () => {
  const text = ['{"question": "How many albums?", "rows": [[347]]}', '{"question": "how many', '{"question": "no gold"}', '[1, 2]'].join('\n');
  const file = ok(readGoldenFile('golden.jsonl', text));
  assert.is(file.lines.length, 4, 'every line is sent');
  assert.is(file.questions, 1);
  assert.is(file.badLineCount, 3);
  assert.equal(file.badLines.map((b) => b.line), [2, 3, 4]);
  assert.is(file.badLines[0]!.reason, 'not JSON');
  assert.match(file.badLines[1]!.reason, /needs gold_sql or rows/);
  assert.is(file.badLines[2]!.reason, 'not a JSON object');
});

test('an empty file, a JSON array and a CSV are refused whole, with the format in the message', () => {
  assert.is(code(readGoldenFile('empty.jsonl', '\n  \n')), 'EMPTY');
  const array = readGoldenFile('golden.json', JSON.stringify([{ question: 'How many albums?', rows: [[347]] }], null, 2));
  assert.is(code(array), 'NOT_JSONL');
  assert.match(!array.ok ? array.error.message : '', /one JSON array, not one object a line.*"question"/);
  const csv = readGoldenFile('golden.csv', 'question,answer\nHow many albums?,347\n');
  assert.is(code(csv), 'NOT_JSONL');
  assert.equal(!csv.ok ? csv.error.line : null, 1);
});

test('past the limits of eval.run: too many lines, a line too long, too many bytes to send', () => {
  const line = '{"question": "How many albums?", "rows": [[347]]}';
  const many = readGoldenFile('many.jsonl', Array.from({ length: MAX_EVAL_LINES + 1 }, () => line).join('\n'));
  assert.is(code(many), 'TOO_MANY_LINES');
  assert.match(!many.ok ? many.error.message : '', /10,001 lines; at most 10,000/);
  assert.is(code(readGoldenFile('max.jsonl', Array.from({ length: MAX_EVAL_LINES }, () => line).join('\n'))), 'ok');

  const long = readGoldenFile('long.jsonl', `${line}\n{"question": "${'x'.repeat(MAX_EVAL_LINE_CHARS)}", "rows": []}`);
  assert.is(code(long), 'LINE_TOO_LONG');
  assert.equal(!long.ok ? long.error.line : null, 2);

  // Quotes are escaped once more when the lines are sent, so a file under the limit can still be too large to send.
  const quoted = `{"question": "q", "rows": [[${'"",'.repeat(300_000)}""]]}`;
  const text = [quoted, quoted, quoted].join('\n');
  assert.ok(quoted.length < MAX_EVAL_LINE_CHARS && text.length < MAX_GOLDEN_FILE_BYTES);
  assert.is(checkFileSize('quoted.jsonl', text.length), null);
  assert.is(code(readGoldenFile('quoted.jsonl', text)), 'TOO_LARGE');
});

test('a file too large to send is refused by its size before it is read', () => {
  assert.is(checkFileSize('small.jsonl', 10_000), null);
  const error = checkFileSize('huge.jsonl', 2 * 1024 ** 3);
  assert.is(error?.code, 'TOO_LARGE');
  assert.match(error?.message ?? '', /huge\.jsonl is 2048\.0 MB; the page sends at most 3\.5 MB/);
});

test('the example shown on the page is itself a valid golden file', () => {
  const file = ok(readGoldenFile('example.jsonl', EXAMPLE_GOLDEN_FILE));
  assert.equal([file.questions, file.badLineCount], [2, 0]);
});

test.run();
