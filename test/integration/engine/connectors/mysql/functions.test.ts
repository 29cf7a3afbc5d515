/**
 * The function allow-list against the live server: every name allowed on
 * MariaDB is a built-in there (an unqualified call never reaches a stored or
 * loadable function of that name), and the MySQL-only names are not, which
 * is why they are allowed only when the server is known to be MySQL.
 */
import type mysql from 'mysql2/promise';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMysqlConnector } from '../../../../../engine/connectors/mysql/connector';
import { allowedBuiltIns } from '../../../../../engine/connectors/mysql/functions';
import { validateMysqlQuery } from '../../../../../engine/connectors/mysql/guardrail';
import { createMysqlDatabase, type TestDatabase } from '../../../../support/databases';
import { mysqlSpec, never, rawConnection } from './support';

let db: TestDatabase;
let raw: mysql.Connection;

/** ER_SP_DOES_NOT_EXIST: the server looked for a stored function of that name. */
const NOT_A_BUILT_IN = 1305;

/**
 * Whether the server reads an unqualified call of `name` as a built-in for some number of arguments
 * (0 to 3). Built-ins the grammar knows (POINT, HOUR …) fall back to a stored function when called
 * with another number: catalog.ts refuses a built-in name that a stored function of the source shares.
 */
async function isBuiltIn(name: string): Promise<boolean> {
  for (let arity = 0; arity <= 3; arity++) {
    try {
      await raw.query(`SELECT ${name}(${Array(arity).fill("'1'").join(', ')})`);
      return true;
    } catch (error) {
      if ((error as { errno?: number }).errno !== NOT_A_BUILT_IN) return true;
    }
  }
  return false;
}

test.before(async () => {
  db = createMysqlDatabase('empty');
  raw = await rawConnection(db);
});
test.after(async () => {
  await raw?.end();
  db?.drop();
});

test('every function allowed on MariaDB is a built-in of this server', async () => {
  const missing: string[] = [];
  for (const name of allowedBuiltIns('mariadb')) if (!(await isBuiltIn(name))) missing.push(name);
  assert.equal(missing, [], `resolve to stored functions here: ${missing.join(', ')}`);
});

test('names allowed only on MySQL are not built-ins here, and the guardrail refuses them unless the server is MySQL', async () => {
  const mysqlOnly = allowedBuiltIns('mysql').filter((name) => !allowedBuiltIns('mariadb').includes(name));
  assert.ok(mysqlOnly.length >= 5);
  for (const name of mysqlOnly) {
    if (!(await isBuiltIn(name))) {
      assert.is(validateMysqlQuery(`SELECT ${name}(1)`, { database: db.name, flavor: 'mariadb' }).allowed, false, name);
      assert.is(validateMysqlQuery(`SELECT ${name}(1)`, { database: db.name }).allowed, false, name);
    }
  }
});

test('LOWER is found by name before any stored function; POINT falls back to a stored one with another number of arguments, so the connector refuses it', async () => {
  await raw.query("CREATE FUNCTION `lower`(v TEXT) RETURNS TEXT DETERMINISTIC RETURN 'stored'");
  const [[lower]] = await raw.query<mysql.RowDataPacket[]>({ sql: "SELECT lower('X')", rowsAsArray: true });
  assert.is(lower![0], 'x');
  const stored = await raw.query("SELECT lower('X', 'Y')").then(
    () => 'ran',
    (e: { errno?: number }) => e.errno,
  );
  assert.is(stored, 1582, 'a wrong number of arguments to LOWER must be an error, not the stored function');
  await raw.query("CREATE FUNCTION `point`(v TEXT) RETURNS TEXT DETERMINISTIC RETURN 'stored'");
  const [[row]] = await raw.query<mysql.RowDataPacket[]>({ sql: "SELECT point('X')", rowsAsArray: true });
  assert.is(row![0], 'stored', 'POINT with one argument ran the stored function');
  const connector = createMysqlConnector();
  try {
    const verdict = await connector.validate('SELECT ST_AsText(POINT(1, 2))', mysqlSpec(db.name), never);
    assert.is(verdict.allowed, false);
    assert.match(verdict.reasons[0]!.message, /POINT is also the name of a stored or user-defined function/);
    assert.ok((await connector.validate("SELECT ST_AsText(ST_GeomFromText('POINT(1 2)')), lower('X')", mysqlSpec(db.name), never)).allowed);
  } finally {
    await connector.close();
  }
});

test.run();
