import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { vetViews, type ViewRow } from '../../../../../engine/connectors/mysql/catalog';
import { validateMysqlQuery } from '../../../../../engine/connectors/mysql/guardrail';
import { viewKey } from '../../../../../engine/connectors/mysql/relations';

// Definitions as MariaDB normalises them (information_schema.VIEWS.VIEW_DEFINITION).
const VIEWS: ViewRow[] = [
  { schema: 'shop', name: 'recent', definition: "select `shop`.`orders`.`id` AS `id`,cast(`shop`.`orders`.`id` as char charset utf8mb3) AS `c`,count(0) over ( partition by `shop`.`orders`.`id`) AS `w` from `shop`.`orders` where `shop`.`orders`.`d` > current_timestamp() - interval 1 day" },
  { schema: 'shop', name: 'recent_ids', definition: 'select `recent`.`id` AS `id` from (`shop`.`recent` join `shop`.`orders` on(`recent`.`id` = `shop`.`orders`.`id`))' },
  // MariaDB writes a stored function of the view's own database unqualified, in backticks.
  { schema: 'shop', name: 'order_touch', definition: 'select `shop`.`orders`.`id` AS `id`,`touch`(`shop`.`orders`.`id`) AS `t` from `shop`.`orders`' },
  { schema: 'shop', name: 'order_touch_qualified', definition: 'select `shop`.`touch`(1) AS `t`' },
  { schema: 'shop', name: 'over_touch', definition: 'select `order_touch`.`id` AS `id` from `shop`.`order_touch`' },
  { schema: 'shop', name: 'accounts', definition: 'select `mysql`.`user`.`User` AS `User`,`mysql`.`user`.`Password` AS `Password` from `mysql`.`user`' },
  { schema: 'shop', name: 'payroll', definition: 'select `hr`.`salaries`.`amount` AS `amount` from `hr`.`salaries`' },
  { schema: 'shop', name: 'hidden', definition: '' },
  { schema: 'shop', name: 'sleepy', definition: 'select sleep(1) AS `s`' },
];
const options = { readableDatabases: ['shop'], trustedFunctionSchemas: [], flavor: 'mariadb' as const };

test('views are readable exactly when their definitions would be, transitively', () => {
  const verdicts = vetViews(VIEWS, options);
  const refused = (name: string) => verdicts.get(viewKey('shop', name));
  assert.is(refused('recent'), null);
  assert.is(refused('recent_ids'), null);
  assert.match(refused('order_touch')!, /shop\.touch is a stored function/);
  assert.match(refused('order_touch_qualified')!, /shop\.touch is a stored function/);
  assert.match(refused('over_touch')!, /The view shop\.order_touch cannot be read/);
  assert.match(refused('accounts')!, /mysql database/);
  assert.match(refused('payroll')!, /database hr/);
  assert.match(refused('hidden')!, /SHOW VIEW/);
  assert.match(refused('sleepy')!, /SLEEP/);
});

test('trusting the function database or the other database opens exactly those views', () => {
  const verdicts = vetViews(VIEWS, { ...options, readableDatabases: ['shop', 'hr'], trustedFunctionSchemas: ['shop'] });
  assert.is(verdicts.get(viewKey('shop', 'order_touch')), null);
  assert.is(verdicts.get(viewKey('shop', 'over_touch')), null);
  assert.is(verdicts.get(viewKey('shop', 'order_touch_qualified')), null);
  assert.is(verdicts.get(viewKey('shop', 'payroll')), null);
  assert.ok(verdicts.get(viewKey('shop', 'accounts')));
});

test('a query that reads a refused view is refused, qualified or not, in any case', () => {
  const views = vetViews(VIEWS, options);
  const check = (sql: string) => validateMysqlQuery(sql, { database: 'shop', flavor: 'mariadb', views });
  for (const sql of ['SELECT * FROM order_touch', 'SELECT * FROM shop.order_touch', 'SELECT * FROM ORDER_TOUCH', 'SELECT id FROM orders WHERE id IN (SELECT id FROM accounts)', 'SELECT * FROM hidden']) {
    const verdict = check(sql);
    assert.is(verdict.allowed, false, sql);
    assert.equal(verdict.reasons.map((r) => r.code), ['FORBIDDEN_RELATION'], sql);
    assert.match(verdict.reasons[0]!.message, /^The view shop\.\w+ cannot be read: /);
  }
  assert.ok(check('SELECT * FROM recent_ids JOIN recent USING (id)').allowed);
  assert.ok(check('SELECT * FROM orders').allowed);
});

test.run();
