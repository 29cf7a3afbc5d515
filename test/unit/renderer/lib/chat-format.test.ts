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
import { PLANNER_CONFIDENCE_SCALE } from '../../../../engine/planner/confidence-scale';

const pick = (badge: { label: string; tone: string } | null) => badge && { label: badge.label, tone: badge.tone };

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

const offline = { kind: 'offline', provider: 'offline planner', model: null } as const;
const model = { kind: 'model', provider: 'Ollama', model: 'qwen2.5-coder' } as const;
const planner = (confidence: number | null) => formatConfidence({ confidence, confidenceScale: PLANNER_CONFIDENCE_SCALE, author: offline });

test("the planner's calibrated confidence reads as confident, to check, or unsure, at the engine's levels", () => {
  assert.equal(pick(planner(0.87)), { label: 'Confident (87%)', tone: 'ok' });
  assert.equal(pick(planner(PLANNER_CONFIDENCE_SCALE.confidentAt)), { label: 'Confident (80%)', tone: 'ok' });
  assert.equal(pick(planner(0.62)), { label: 'Check this (62%)', tone: 'warn' });
  assert.equal(pick(planner(0.31)), { label: 'Unsure (31%)', tone: 'danger' });
  assert.is(planner(null), null);
});

test('the tooltip says what the number means: how often confident answers were right on the development set', () => {
  const title = planner(0.87)!.title;
  assert.match(title, 'On questions like its development set, about 9 in 10 answers shown as confident (80% or more) were right');
  assert.match(title, 'below 50%, most were wrong');
});

test('the levels and the wording come from the scale the engine sends, not from the renderer', () => {
  const scale = { confidentAt: 0.7, unsureBelow: 0.4, confidentPrecision: 0.8 };
  const badge = (confidence: number) => formatConfidence({ confidence, confidenceScale: scale, author: offline })!;
  assert.is(badge(0.72).label, 'Confident (72%)');
  assert.is(badge(0.45).label, 'Check this (45%)');
  assert.is(badge(0.39).label, 'Unsure (39%)');
  assert.match(badge(0.72).title, 'about 8 in 10 answers shown as confident (70% or more)');
});

test("a model's own confidence is not dressed up as calibrated: an estimate, to be checked", () => {
  const badge = formatConfidence({ confidence: 0.95, confidenceScale: null, author: model })!;
  assert.equal(pick(badge), { label: 'Estimate (95%)', tone: 'warn' });
  assert.match(badge.title, 'the model');
  assert.match(badge.title, 'not measured');
  assert.not.match(badge.title, 'development set');
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
