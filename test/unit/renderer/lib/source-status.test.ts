import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Source } from '../../../../engine/contract/index';
import { circuitWords, unreachableSummary } from '../../../../renderer/src/lib/source-status';

const closed: Source['circuit'] = { state: 'closed', consecutiveFailures: 2, retryAt: null, message: null };
const open: Source['circuit'] = {
  state: 'open',
  consecutiveFailures: 5,
  retryAt: '2026-12-07T10:42:05.000Z',
  message: "PostgreSQL 'Prod' is unreachable: 5 failures in 30 s; retrying at 10:42:05.",
};
const halfOpen: Source['circuit'] = { state: 'half-open', consecutiveFailures: 6, retryAt: '2026-12-07T10:42:05.000Z', message: null };
const hhmmss = (iso: string) => iso.slice(11, 19);
/** Before and after the open circuit's retry time. */
const BEFORE = Date.parse('2026-12-07T10:40:00.000Z');
const AFTER = Date.parse('2026-12-07T10:42:06.000Z');

test('a closed circuit shows nothing, even with a failure or two behind it', () => {
  assert.is(circuitWords(closed, BEFORE), null);
  assert.is(unreachableSummary([{ name: 'Prod', circuit: closed }], BEFORE), null);
});

test('an open circuit says the source is unreachable and when it retries, with the engine\'s reason as the detail', () => {
  assert.equal(circuitWords(open, BEFORE, hhmmss), { label: 'Unreachable, retrying at 10:42:05', tone: 'danger', detail: open.message });
  assert.equal(circuitWords(halfOpen, BEFORE, hhmmss)?.label, 'Retrying');
});

test('once its retry time has passed, an open circuit reads as retrying, not as a retry time in the past', () => {
  assert.equal(circuitWords(open, AFTER, hhmmss)?.label, 'Retrying');
  assert.match(unreachableSummary([{ name: 'Prod', circuit: open }], AFTER)!.detail, 'the next query tries again');
});

test('the status bar names one unreachable source, counts several, and lists each reason', () => {
  assert.equal(unreachableSummary([{ name: 'Prod', circuit: open }, { name: 'Dev', circuit: closed }], BEFORE), { label: "'Prod' unreachable", detail: `Prod: ${open.message}` });
  const two = unreachableSummary([{ name: 'Prod', circuit: open }, { name: 'Shop', circuit: halfOpen }], BEFORE);
  assert.is(two?.label, '2 sources unreachable');
  assert.is(two?.detail.split('\n').length, 2);
});

test.run();
