import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EngineError } from '../../../../engine/errors';
import { exportLine, MAX_IMPORT_LINES, parseExportFile, parseExportLine } from '../../../../engine/verified/export-format';

const line = (fields: Record<string, unknown>) => JSON.stringify({ v: 1, question: 'how many albums', query: 'SELECT count(*) FROM album', dialect: 'postgres', ...fields });

function refusal(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    assert.instance(error, EngineError);
    return error as EngineError;
  }
  throw new assert.Assertion({ message: 'expected a refusal', generated: false, operator: 'throws', expects: 'error', actual: 'nothing' });
}

test('an exported pair is one line that parses back to the same pair, and holds nothing but wording, query and dialect', () => {
  const text = exportLine({ question: 'How many albums?', query: 'SELECT count(*)\nFROM album', dialect: 'postgres' });
  assert.not.match(text, /\n/);
  assert.equal(Object.keys(JSON.parse(text)).sort(), ['dialect', 'query', 'question', 'v']);
  assert.equal(parseExportLine(text, 1), { v: 1, question: 'How many albums?', query: 'SELECT count(*)\nFROM album', dialect: 'postgres', line: 1 });
});

test('a file: blank lines are skipped, every other line is numbered as in the file', () => {
  const parsed = parseExportFile(`${line({})}\n\n${line({ question: 'how many artists', query: 'SELECT count(*) FROM artist' })}\r\n`, 'postgres');
  assert.equal(parsed.map((p) => [p.line, p.question]), [[1, 'how many albums'], [3, 'how many artists']]);
});

test('a bad line is a VALIDATION error naming its number, and the rest of the file is not taken', () => {
  const cases: Array<[string, RegExp]> = [
    ['{not json', /Line 2: is not JSON/],
    [line({ rows: [[1]] }), /Line 2: .*rows/],
    [line({ password: 'x' }), /Line 2: .*password/],
    [line({ v: 2 }), /Line 2: .*v/],
    [line({ question: '   ' }), /Line 2: .*question/],
    [line({ query: 42 }), /Line 2: .*query/],
    [line({ dialect: 'oracle' }), /Line 2: .*dialect/],
    ['[]', /Line 2: is not a verified answer/],
  ];
  for (const [bad, message] of cases) {
    const error = refusal(() => parseExportFile(`${line({})}\n${bad}\n${line({})}`, 'postgres'));
    assert.is(error.code, 'VALIDATION');
    assert.match(error.message, message);
    assert.match(error.message, /Nothing was imported/);
    assert.is(error.details?.line, 2);
  }
});

test('a line written for another dialect is refused by name', () => {
  const error = refusal(() => parseExportFile(line({ dialect: 'mysql' }), 'postgres'));
  assert.match(error.message, /Line 1: is a mysql query, and this source takes postgres queries/);
});

test('a file with more pairs than one import checks is refused whole', () => {
  const many = Array.from({ length: MAX_IMPORT_LINES + 1 }, () => line({})).join('\n');
  assert.match(refusal(() => parseExportFile(many, 'postgres')).message, /at most 5000 at a time/);
});

test.run();
