import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppSettings, SettingsPatch } from '../../../../engine/contract/index';
import { describeLimit, LIMIT_FIELDS, parseLimit } from '../../../../renderer/src/lib/limits-form';

const field = (key: string) => LIMIT_FIELDS.find((f) => f.key === key)!;

test("the card's ranges are the contract's: what it accepts the engine saves, and what it refuses the engine would too", () => {
  for (const f of LIMIT_FIELDS) {
    for (const value of [f.min, f.max]) assert.ok(SettingsPatch.safeParse({ [f.key]: value }).success, `${f.key} ${value}`);
    for (const value of [f.min - 1, f.max + 1]) {
      assert.not.ok(SettingsPatch.safeParse({ [f.key]: value }).success, `${f.key} ${value} is refused by the contract`);
      assert.not.ok(parseLimit(f, String(value)).ok, `${f.key} ${value} is refused by the card`);
    }
  }
});

test('a typed value is a whole number in range; the message says the range and what 0 means', () => {
  assert.equal(parseLimit(field('sourceQueriesPerMinute'), ' 120 '), { ok: true, value: 120 });
  assert.equal(parseLimit(field('sourceQueriesPerMinute'), '-1'), { ok: false, message: 'Work per source per minute: between 0 and 1,000,000 (0 for no limit).' });
  assert.equal(parseLimit(field('sourceConcurrentQueries'), '0'), { ok: false, message: 'Queries at once per source: between 1 and 64.' });
  assert.not.ok(parseLimit(field('providerTokensPerMinute'), '1.5').ok);
  assert.not.ok(parseLimit(field('providerTokensPerMinute'), '').ok);
});

test('a saved limit is confirmed in words, 0 as no limit', () => {
  const settings = AppSettings.parse({ providerTokensPerMinute: 40_000 });
  assert.is(describeLimit(field('providerTokensPerMinute'), settings), 'Model tokens per minute: 40,000.');
  assert.is(describeLimit(field('providerRequestsPerMinute'), settings), 'Model requests per minute: no limit.');
  assert.is(describeLimit(field('sourceConcurrentQueries'), settings), 'Queries at once per source: 4.');
});

test.run();
