import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActivityReporter } from '../../../../renderer/src/lib/activity';

test('activity is reported at most once per interval, so typing does not flood the engine', () => {
  let clock = 0;
  let reports = 0;
  const report = createActivityReporter(() => reports++, 30_000, () => clock);
  assert.is(report(), true);
  for (let i = 0; i < 100; i++) {
    clock += 100;
    report();
  }
  assert.is(reports, 1);
  clock += 30_000;
  assert.is(report(), true);
  assert.is(reports, 2);
});

test.run();
