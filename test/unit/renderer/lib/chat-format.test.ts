import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  authorLabel,
  formatCell,
  formatConfidence,
  formatDuration,
  formatEstimate,
  formatRelative,
  formatRows,
  isNumericType,
} from '../../../../renderer/src/lib/chat-format';

test('numbers are marked numeric (right-aligned) whatever form they cross the boundary in', () => {
  assert.equal(formatCell(59, 'integer'), { text: '59', kind: 'number' });
  // Exact decimals and big integers arrive as strings and must not lose digits.
  assert.equal(formatCell('12345678901234567890', 'integer'), { text: '12345678901234567890', kind: 'number' });
  assert.equal(formatCell('0.10', 'decimal'), { text: '0.10', kind: 'number' });
  assert.ok(isNumericType('float'));
  assert.not.ok(isNumericType('string'));
});

test('float noise from the store is trimmed, integers are not grouped (years stay 2023)', () => {
  assert.is(formatCell(0.1 + 0.2, 'float').text, '0.3');
  assert.is(formatCell(2023, 'integer').text, '2023');
  assert.is(formatCell(5.651941747572815, 'float').text, '5.65194174757');
});

test('nulls are shown as null, distinct from an empty string', () => {
  assert.equal(formatCell(null, 'string'), { text: 'null', kind: 'null' });
  assert.equal(formatCell(undefined, 'integer'), { text: 'null', kind: 'null' });
  assert.equal(formatCell('', 'string'), { text: '', kind: 'text' });
});

test('documents and arrays are compact JSON; booleans read as words', () => {
  assert.equal(formatCell({ a: 1, b: [1, 2] }, 'object'), { text: '{"a":1,"b":[1,2]}', kind: 'json' });
  assert.equal(formatCell([1, 'x'], 'array'), { text: '[1,"x"]', kind: 'json' });
  assert.equal(formatCell(false, 'boolean'), { text: 'false', kind: 'boolean' });
});

test('durations read naturally at every scale', () => {
  assert.is(formatDuration(2.83), '2.8 ms');
  assert.is(formatDuration(340.4), '340 ms');
  assert.is(formatDuration(1234), '1.2 s');
  assert.is(formatDuration(42_000), '42 s');
  assert.is(formatDuration(125_000), '2 min 5 s');
  assert.is(formatDuration(null), '—');
});

test('row counts and estimates', () => {
  assert.is(formatRows(1), '1 row');
  assert.is(formatRows(10000), '10,000 rows');
  assert.is(formatEstimate({ estimatedRows: 1, estimatedCost: 10.88, summary: '', warnings: [] }), '≈ 1 row · cost 10.9');
  assert.is(formatEstimate({ estimatedRows: 2400.6, estimatedCost: 123456.7, summary: '', warnings: [] }), '≈ 2,401 rows · cost 123,457');
  assert.is(formatEstimate({ estimatedRows: null, estimatedCost: null, summary: 'n/a', warnings: [] }), null);
  assert.is(formatEstimate(null), null);
});

test('confidence is a percentage whose tone warns about guesses', () => {
  assert.equal(formatConfidence(0.98), { label: '98% sure', tone: 'ok' });
  assert.equal(formatConfidence(0.6), { label: '60% sure', tone: 'warn' });
  assert.equal(formatConfidence(0.2), { label: '20% sure', tone: 'danger' });
  assert.is(formatConfidence(null), null);
});

test('the author of a query: offline planner, the model, or you', () => {
  assert.is(authorLabel({ kind: 'offline', provider: 'offline planner', model: null }), 'Offline planner');
  assert.is(authorLabel({ kind: 'user', provider: 'you', model: null }), 'You');
  assert.is(authorLabel({ kind: 'verified', provider: 'verified answer', model: null }), 'your verified answers');
  assert.is(authorLabel({ kind: 'model', provider: 'Ollama', model: 'qwen2.5-coder' }), 'qwen2.5-coder (Ollama)');
});

test('session times are relative when recent', () => {
  const now = Date.parse('2026-05-10T12:00:00Z');
  assert.is(formatRelative('2026-05-10T11:59:50Z', now), 'just now');
  assert.is(formatRelative('2026-05-10T11:55:00Z', now), '5 min ago');
  assert.is(formatRelative('2026-05-10T09:00:00Z', now), '3 h ago');
  assert.is(formatRelative('2026-05-09T09:00:00Z', now), 'yesterday');
  assert.match(formatRelative('2026-04-01T09:00:00Z', now), /Apr|4/);
});

test.run();
