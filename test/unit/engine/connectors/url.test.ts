import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMongoUrl } from '../../../../engine/connectors/mongodb/url';
import { parseMysqlUrl } from '../../../../engine/connectors/mysql/url';
import { parsePostgresUrl } from '../../../../engine/connectors/postgres/url';

test('PostgreSQL URLs: sslmode maps to TLS modes; the password is returned separately', () => {
  const { connection, password } = parsePostgresUrl('postgresql://ana:p%3Aw%40d@10.0.0.5/shop?sslmode=require');
  assert.equal(connection, { host: '10.0.0.5', port: 5432, database: 'shop', user: 'ana', tls: { mode: 'require' } });
  assert.is(password, 'p:w@d');
  assert.equal((parsePostgresUrl('postgres://h/db?sslmode=disable').connection as { tls: unknown }).tls, { mode: 'off' });
  assert.throws(() => parsePostgresUrl('postgres://h/db?sslmode=maybe'), /Unknown sslmode/);
  assert.throws(() => parsePostgresUrl('mysql://h/db'), /postgres:\/\//);
});

test('MySQL URLs need a database; ssl-mode is case-insensitive', () => {
  const { connection, password } = parseMysqlUrl('mysql://root@127.0.0.1:3307/chinook?ssl-mode=REQUIRED');
  assert.equal(connection, { host: '127.0.0.1', port: 3307, database: 'chinook', user: 'root', tls: { mode: 'require' } });
  assert.is(password, null);
  assert.throws(() => parseMysqlUrl('mysql://root@h'), /database name/);
});

test('MongoDB URLs: several hosts, srv, authSource and replicaSet', () => {
  const { connection, password } = parseMongoUrl('mongodb://app:pw@a.example:27017,b.example:27018/sales?authSource=admin&replicaSet=rs0');
  assert.equal(connection, {
    hosts: [
      { host: 'a.example', port: 27017 },
      { host: 'b.example', port: 27018 },
    ],
    srv: false,
    database: 'sales',
    user: 'app',
    authSource: 'admin',
    replicaSet: 'rs0',
    tls: { mode: 'off' },
  });
  assert.is(password, 'pw');
  const srv = parseMongoUrl('mongodb+srv://u:p@cluster0.example.net/app').connection as { srv: boolean; tls: { mode: string } };
  assert.is(srv.srv, true);
  assert.is(srv.tls.mode, 'verify');
  assert.throws(() => parseMongoUrl('mongodb+srv://u@c1:1,c2/app'), /exactly one host/);
});

test('malformed URLs are refused without echoing them (they may hold a password)', () => {
  for (const url of ['not a url', 'postgres://user:hunter2@host:port/db', 'postgres://user:%zz@h/db']) {
    try {
      parsePostgresUrl(url);
      assert.unreachable(url);
    } catch (error) {
      assert.not.match((error as Error).message, /hunter2|%zz/);
      assert.is((error as { code: string }).code, 'VALIDATION');
    }
  }
});

test.run();
