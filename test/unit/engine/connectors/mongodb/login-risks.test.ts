import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mongoLoginRisks } from '../../../../../engine/connectors/mongodb/login-risks';
import { LoginRisk } from '../../../../../engine/contract/index';

const status = (privileges: unknown[] | undefined, roles: Array<{ role: string; db: string }> = [{ role: 'custom', db: 'shop' }]) => ({
  authInfo: {
    authenticatedUsers: [{ user: 'u', db: 'admin' }],
    authenticatedUserRoles: roles,
    ...(privileges ? { authenticatedUserPrivileges: privileges } : {}),
  },
  ok: 1,
});
const onDb = (db: string, actions: string[], collection = '') => ({ resource: { db, collection }, actions });
const onCluster = (actions: string[]) => ({ resource: { cluster: true }, actions });
const codes = (privileges: unknown[]) => mongoLoginRisks(status(privileges), 'shop').map((r) => r.code).sort();

test('reading the source database, and harmless server monitoring, is no risk', () => {
  assert.equal(codes([onDb('shop', ['find', 'listCollections', 'listIndexes', 'collStats', 'dbStats', 'killCursors', 'changeStream'])]), []);
  assert.equal(codes([onDb('shop', ['find'], 'orders'), onCluster(['listDatabases', 'serverStatus', 'getParameter'])]), []);
  assert.equal(codes([]), []);
});

test('reading any other database, or every database, is READ_OTHER_DATABASES; the oplog is REPLICATION', () => {
  assert.equal(codes([onDb('payroll', ['find'])]), ['READ_OTHER_DATABASES']);
  assert.equal(codes([onDb('', ['find', 'listCollections'])]), ['READ_OTHER_DATABASES']);
  assert.equal(codes([onDb('', ['find'], 'orders')]), ['READ_OTHER_DATABASES'], 'a collection name in every database');
  assert.equal(codes([onDb('local', ['find'])]), ['REPLICATION']);
  const [risk] = mongoLoginRisks(status([onDb('payroll', ['find']), onDb('', ['listCollections'])]), 'shop');
  assert.equal(risk, { code: 'READ_OTHER_DATABASES', message: 'This login can read databases other than "shop" (find on database payroll; listCollections on every database).' });
});

test('write, session, replication and administration actions are named for what they allow', () => {
  assert.equal(codes([onDb('shop', ['insert', 'update', 'remove'])]), ['CAN_WRITE']);
  assert.equal(codes([onCluster(['inprog'])]), ['SEE_ALL_SESSIONS']);
  assert.equal(codes([onCluster(['killop', 'killAnySession'])]), ['SIGNAL_SESSIONS']);
  assert.equal(codes([onCluster(['replSetConfigure'])]), ['REPLICATION']);
  assert.equal(codes([onCluster(['shutdown'])]), ['SERVER_ADMIN']);
  assert.equal(codes([onCluster(['someFutureAction'])]), ['SERVER_ADMIN'], 'an unknown action is a risk until reviewed');
  assert.equal(codes([onDb('shop', ['createUser', 'grantRole'])]), ['SERVER_ADMIN']);
  assert.equal(codes([onDb('admin', ['grantRole'])]), ['SUPERUSER'], 'granting roles on admin can grant root');
  assert.equal(codes([{ resource: { anyResource: true }, actions: ['anyAction'] }]), ['SUPERUSER']);
});

test('a server without logins is SUPERUSER; roles without reported privileges are a risk, read on the source is not', () => {
  const open = mongoLoginRisks({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }, 'shop');
  assert.equal(open.map((r) => r.code), ['SUPERUSER']);
  assert.match(open[0]!.message, /does not check logins/);
  assert.equal(mongoLoginRisks(status(undefined, [{ role: 'read', db: 'shop' }]), 'shop'), []);
  assert.equal(mongoLoginRisks(status(undefined, [{ role: 'readAnyDatabase', db: 'admin' }]), 'shop').map((r) => r.code), ['SERVER_ADMIN']);
});

test('messages list at most three examples and every risk fits the contract', () => {
  const risks = mongoLoginRisks(status([onDb('a', ['find']), onDb('b', ['find']), onDb('c', ['find']), onDb('d', ['find']), onCluster(['inprog', 'killop', 'shutdown'])]), 'shop');
  for (const risk of risks) LoginRisk.parse(risk);
  assert.match(risks.find((r) => r.code === 'READ_OTHER_DATABASES')!.message, /database a; find on database b; find on database c and more\)\.$/);
});

test.run();
