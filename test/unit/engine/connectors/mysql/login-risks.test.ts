import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { grantedRoles, loginRisks, parseGrant, writeGrants } from '../../../../../engine/connectors/mysql/test-connection';

const source = { database: 'shop', trustedFunctionSchemas: [] as string[] };
const codes = (lines: string[], s = source, udfs: string[] = []) => loginRisks(lines, s, udfs).map((r) => r.code).sort();

test('SHOW GRANTS lines are read with their quoting: names with spaces, dots, quotes and TO inside stay whole', () => {
  assert.equal(parseGrant('GRANT SELECT, INSERT ON `shop`.* TO `app`@`%`'), {
    privileges: ['SELECT', 'INSERT'],
    target: '`shop`.*',
    database: 'shop',
    pattern: false,
    withGrantOption: false,
  });
  assert.is(parseGrant('GRANT SELECT ON `my db`.`t` TO `u`@`%`')!.database, 'my db');
  assert.is(parseGrant('GRANT SELECT ON `a.b`.* TO `u`@`%`')!.database, 'a.b');
  assert.is(parseGrant('GRANT SELECT ON `x TO y`.* TO `u`@`%`')!.database, 'x TO y');
  assert.is(parseGrant('GRANT SELECT ON `we``ird`.* TO `u`@`%`')!.database, 'we`ird');
  assert.is(parseGrant("GRANT SELECT ON 'old'.* TO 'u'@'%'")!.database, 'old');
  assert.is(parseGrant('GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION')!.database, null);
  assert.is(parseGrant('GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION')!.withGrantOption, true);
  assert.equal(parseGrant('GRANT SELECT (a, b), UPDATE (c) ON `shop`.`t` TO `u`@`%`')!.privileges, ['SELECT', 'UPDATE']);
  assert.equal(parseGrant('GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `u`@`%`')!.target, '`shop`.`p`');
  assert.equal(parseGrant('GRANT EXECUTE ON PACKAGE BODY `shop`.`p` TO `u`@`%`')!.database, 'shop');
  assert.is(parseGrant('GRANT `reader` TO `u`@`%`'), null);
  assert.is(parseGrant('SET DEFAULT ROLE `reader` FOR `u`@`%`'), null);
});

test('database names with unescaped _ or % are patterns; escaped ones are literal', () => {
  assert.is(parseGrant('GRANT SELECT ON `shop\\_eu`.* TO `u`@`%`')!.pattern, false);
  assert.is(parseGrant('GRANT SELECT ON `shop\\_eu`.* TO `u`@`%`')!.database, 'shop_eu');
  assert.is(parseGrant('GRANT SELECT ON `shop_eu`.* TO `u`@`%`')!.pattern, true);
  assert.is(parseGrant('GRANT SELECT ON `shop%`.* TO `u`@`%`')!.pattern, true);
});

test('a password hash on a grant line is never repeated', () => {
  const line = "GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'";
  const all = JSON.stringify([parseGrant(line), writeGrants([line]), loginRisks([line], source)]);
  assert.not.match(all, /2470C0C0/);
});

test('a least-privilege login (SELECT on its own database) has no risks', () => {
  assert.equal(codes(['GRANT USAGE ON *.* TO `r`@`%`', 'GRANT SELECT ON `shop`.* TO `r`@`%`']), []);
  assert.equal(codes(['GRANT USAGE ON *.* TO `r`@`%`', 'GRANT SELECT, SHOW VIEW ON `shop`.`orders` TO `r`@`%`']), []);
});

test('root: superuser, files, sessions, replication, administration, writes and other databases', () => {
  assert.equal(codes(['GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION']), [
    'CAN_WRITE',
    'READ_OTHER_DATABASES',
    'READ_SERVER_FILES',
    'REPLICATION',
    'SEE_ALL_SESSIONS',
    'SERVER_ADMIN',
    'SIGNAL_SESSIONS',
    'SUPERUSER',
    'WRITE_SERVER_FILES',
  ]);
  assert.equal(codes(['GRANT SUPER ON *.* TO `u`@`%`']), ['CAN_WRITE', 'SIGNAL_SESSIONS', 'SUPERUSER']);
});

test('each global privilege maps to its risk', () => {
  const cases: Array<[string, string[]]> = [
    ['FILE', ['CAN_WRITE', 'READ_SERVER_FILES', 'WRITE_SERVER_FILES']],
    ['PROCESS', ['SEE_ALL_SESSIONS']],
    ['SHUTDOWN', ['SERVER_ADMIN']],
    ['RELOAD', ['SERVER_ADMIN']],
    ['CREATE USER', ['CAN_WRITE', 'SERVER_ADMIN']],
    ['REPLICATION SLAVE', ['REPLICATION']],
    ['REPLICATION CLIENT', ['REPLICATION']],
    ['BINLOG MONITOR', ['REPLICATION']],
    ['CONNECTION ADMIN', ['SERVER_ADMIN', 'SIGNAL_SESSIONS']],
    ['CONNECTION_ADMIN', ['SERVER_ADMIN', 'SIGNAL_SESSIONS']],
    ['SYSTEM_VARIABLES_ADMIN', ['SERVER_ADMIN']],
    ['READ_ONLY ADMIN', ['SERVER_ADMIN']],
    ['SELECT', ['READ_OTHER_DATABASES']],
    ['SHOW DATABASES', []],
    ['USAGE', []],
  ];
  for (const [privilege, expected] of cases) assert.equal(codes([`GRANT ${privilege} ON *.* TO \`u\`@\`%\``]), expected, privilege);
});

test('grants on other databases, patterns and WITH GRANT OPTION are risks; the same privileges on the source are not', () => {
  assert.equal(codes(['GRANT SELECT ON `payroll`.* TO `u`@`%`']), ['READ_OTHER_DATABASES']);
  assert.equal(codes(['GRANT SELECT ON `shop%`.* TO `u`@`%`']), ['READ_OTHER_DATABASES']);
  assert.equal(codes(['GRANT SELECT ON `sho_`.* TO `u`@`%`']), ['READ_OTHER_DATABASES']);
  // `my_db` is strictly a pattern, but read literally it names the source: the usual way to grant, not a risk.
  assert.equal(loginRisks(['GRANT SELECT ON `my_db`.* TO `u`@`%`'], { database: 'my_db', trustedFunctionSchemas: [] }), []);
  assert.equal(codes(['GRANT EXECUTE ON `payroll`.* TO `u`@`%`']), ['READ_OTHER_DATABASES']);
  assert.equal(codes(['GRANT SELECT ON `shop`.* TO `u`@`%` WITH GRANT OPTION']), ['SERVER_ADMIN']);
  assert.equal(codes(['GRANT INSERT ON `payroll`.`t` TO `u`@`%`']), ['CAN_WRITE']);
  const message = loginRisks(['GRANT SELECT ON `payroll`.* TO `u`@`%`', 'GRANT SELECT ON `hr`.`salaries` TO `u`@`%`'], source).find((r) => r.code === 'READ_OTHER_DATABASES')!.message;
  assert.match(message, /`payroll`\.\*, `hr`\.`salaries`/);
});

test('installed lib_mysqludf_sys functions and trusted function databases are reported', () => {
  assert.equal(codes([], source, ['sys_exec', 'other_udf']), ['EXECUTE_SERVER_PROGRAM']);
  assert.equal(codes([], source, ['my_udf']), []);
  assert.equal(codes([], { database: 'shop', trustedFunctionSchemas: ['shop'] }), ['UNTRUSTED_FUNCTIONS']);
});

test('roles granted to the login are found, so their grants can be read', () => {
  assert.equal(grantedRoles(['GRANT `reader`, `writer` TO `u`@`%`', 'GRANT SELECT ON `shop`.* TO `u`@`%`', "GRANT PROXY ON ''@'%' TO 'root'@'localhost'"]), ['reader', 'writer']);
});

test('writeGrants keeps the existing "PRIVILEGE on target" details', () => {
  assert.equal(writeGrants(['GRANT SELECT ON `shop`.* TO `u`@`%`', 'GRANT UPDATE (Name) ON `shop`.`Genre` TO `u`@`%`']), ['UPDATE on `shop`.`Genre`']);
});

test.run();
