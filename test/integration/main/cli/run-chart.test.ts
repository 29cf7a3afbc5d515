import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChartRecommendation } from '../../../../engine/contract/index';
import { cli } from '../../../support/cli';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { TEST_PIN } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

// `run` and `query` print the chart next to the rows: in JSON as `chart`, in the table as one line.
const dir = tempDir();
const env = { POLYSTORE_PIN: TEST_PIN };
const base = ['--data-dir', dir.path];
let db: TestDatabase;
let pgId = '';
const run = (...args: string[]) => cli([...args, ...base], { env });

test.before(async () => {
  db = createPgDatabase('chinook');
  await cli(['init', ...base], { env });
  pgId = (await run('sources', 'add', 'postgres', '--name', 'pg', '--url', `${db.url}?sslmode=disable`, '--json')).json<{ id: string }>().id;
  await run('sources', 'test', pgId, '--json');
  await run('sources', 'confirm-risks', pgId, '--json');
});
test.after(() => {
  db.drop();
  dir.remove();
});

const GROUPED = 'SELECT billing_country, sum(total) AS sales FROM invoice GROUP BY billing_country ORDER BY sales DESC';

test('query --json: chart {recommended, alternatives, reason} next to columns and rows', async () => {
  const r = await run('query', pgId, '--query', GROUPED, '--yes', '--json');
  assert.is(r.code, 0, r.stderr);
  const out = r.json<{ columns: unknown[]; rows: unknown[][]; chart: ChartRecommendation }>();
  assert.is(out.rows.length, 24);
  assert.equal(out.chart.recommended, { type: 'bar', x: 'billing_country', y: ['sales'], horizontal: true });
  assert.ok(out.chart.alternatives.some((a) => a.type === 'table'));
  assert.match(out.chart.reason, /per billing country/);
});

test('query --format table: the recommendation in one line under the table', async () => {
  const r = await run('query', pgId, '--query', GROUPED, '--yes');
  assert.is(r.code, 0, r.stderr);
  const line = r.stdout.trim().split('\n').at(-1)!;
  assert.match(line, /^Chart: bar of sales by billing_country \(horizontal\)\. Sales per billing country/);
});

test('run TOKEN --json (from a conversation): the chart follows the plan', async () => {
  const asked = (await run('ask', pgId, 'revenue per month in 2021', '--json')).json<{ approval: { token: string } }>();
  const r = await run('run', asked.approval.token, '--json');
  assert.is(r.code, 0, r.stderr);
  const out = r.json<{ chart: ChartRecommendation }>();
  assert.is(out.chart.recommended.type, 'line');
});

test.run();
