import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { approvalState, EXPIRY_MARGIN_MS, formatRemaining, isExpiringSoon, newRunId } from '../../../../renderer/src/lib/chat-approval';

const at = Date.parse('2026-01-01T12:00:00.000Z');
const approval = { token: 'v1.abc.def', expiresAt: '2026-01-01T12:02:00.000Z' };

test('a fresh approval is live with the time left (less the safety margin)', () => {
  assert.equal(approvalState(approval, at), { kind: 'live', remainingMs: 120_000 - EXPIRY_MARGIN_MS });
});

test('an approval is withdrawn just before it runs out, and stays expired after', () => {
  assert.is(approvalState(approval, at + 120_000 - EXPIRY_MARGIN_MS + 1).kind, 'expired');
  assert.is(approvalState(approval, at + 3_600_000).kind, 'expired');
});

test('no approval in memory (the page was reloaded) is missing, not live', () => {
  assert.equal(approvalState(undefined, at), { kind: 'missing' });
});

test('an unreadable expiry counts as expired rather than live forever', () => {
  assert.is(approvalState({ token: 't', expiresAt: 'soon' }, at).kind, 'expired');
});

test('the countdown reads as seconds, then minutes, and never shows 0 while live', () => {
  assert.is(formatRemaining(119_000), '1:59');
  assert.is(formatRemaining(60_000), '1:00');
  assert.is(formatRemaining(45_200), '46 s');
  assert.is(formatRemaining(10), '1 s');
  assert.ok(isExpiringSoon(approvalState(approval, at + 105_000)));
  assert.not.ok(isExpiringSoon(approvalState(approval, at)));
});

test('run ids fit the contract id and differ each time', () => {
  const ids = new Set(Array.from({ length: 50 }, () => newRunId()));
  assert.is(ids.size, 50);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{1,64}$/);
});

test.run();
