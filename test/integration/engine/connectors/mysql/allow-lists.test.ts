/**
 * The guardrail through the connector on real MariaDB with a root login (the
 * worst case people really have): the reads issue 9 found beyond the source
 * are refused before they run, real analytical reads are accepted and return
 * rows, and the readable-databases setting opens exactly what it names.
 */
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMysqlConnector } from '../../../../../engine/connectors/mysql/connector';
import type { Connector } from '../../../../../engine/connectors/types';
import type { SourceSettings, Verdict } from '../../../../../engine/contract/index';
import { createMysqlDatabase, type TestDatabase } from '../../../../support/databases';
import { layerTwo, mysqlSpec, never, rejection } from './support';

let source: TestDatabase;
let other: TestDatabase;
let connector: Connector;
const SECRET = `salary-${randomBytes(6).toString('hex')}`;

const validate = (query: string, settings: Partial<SourceSettings> = {}) => connector.validate(query, mysqlSpec(source.name, { settings }), never);
const execute = (query: string, settings: Partial<SourceSettings> = {}) =>
  connector.execute(mysqlSpec(source.name, { settings }), query, { maxRows: 1_000, timeoutMs: 10_000, signal: never });

function assertRefused(verdict: Verdict, code: string, query: string): void {
  assert.is(verdict.allowed, false, `${query} was allowed`);
  assert.ok(verdict.reasons.some((r) => r.code === code), `${query}: ${JSON.stringify(verdict.reasons)}`);
}

test.before(() => {
  source = createMysqlDatabase('chinook');
  other = createMysqlDatabase('empty');
  other.sql(`CREATE TABLE payroll (employee VARCHAR(40), salary VARCHAR(40)); INSERT INTO payroll VALUES ('ceo', '${SECRET}');`);
  source.sql(`
    CREATE FUNCTION touch(v INT) RETURNS INT NOT DETERMINISTIC NO SQL RETURN GET_LOCK('pst_view_lock_${SECRET}', 0);
    CREATE VIEW artist_touch AS SELECT ArtistId, touch(ArtistId) AS t FROM Artist;
    CREATE VIEW accounts AS SELECT User FROM mysql.user;
    CREATE VIEW payroll_copy AS SELECT salary FROM \`${other.name}\`.payroll;
    CREATE VIEW long_tracks AS SELECT TrackId, Name, CAST(Milliseconds AS CHAR) AS ms FROM Track WHERE Milliseconds > 300000;
    CREATE VIEW long_track_names AS SELECT Name FROM long_tracks;
  `);
  connector = createMysqlConnector();
});
test.after(async () => {
  await connector?.close();
  other?.drop();
  source?.drop();
});

test('the reads beyond the source quoted in issue 9 are refused by validate', async () => {
  const cases: Array<[string, string]> = [
    [`SELECT * FROM ${other.name}.payroll`, 'CROSS_DATABASE'],
    [`SELECT * FROM \`${other.name}\`.\`payroll\``, 'CROSS_DATABASE'],
    [`SELECT Name, (SELECT salary FROM ${other.name}.payroll LIMIT 1) FROM Artist`, 'CROSS_DATABASE'],
    ['SELECT * FROM mysql.global_priv', 'FORBIDDEN_RELATION'],
    ['SELECT User, Password FROM mysql.user', 'FORBIDDEN_RELATION'],
    ['SELECT * FROM information_schema.processlist', 'FORBIDDEN_RELATION'],
    ['SELECT info FROM information_schema.PROCESSLIST WHERE id <> 0', 'FORBIDDEN_RELATION'],
    ['SELECT * FROM performance_schema.threads', 'FORBIDDEN_RELATION'],
    ['SELECT table_name FROM information_schema.tables', 'FORBIDDEN_RELATION'],
    ["SELECT LOAD_FILE('/etc/passwd')", 'FILE_ACCESS'],
    ['SELECT @@datadir', 'FORBIDDEN_FUNCTION'],
  ];
  for (const [query, code] of cases) assertRefused(await validate(query), code, query);
});

test('the same cross-database read is refused as-is on the server without a guardrail (the fixture works), and runs once the database is readable', async () => {
  const query = `SELECT salary FROM ${other.name}.payroll`;
  // Layer 2 alone with a root login reads it: only layer 1 keeps it out, which is why it must refuse (and why the
  // connector's execute judges it again).
  const bare = layerTwo();
  try {
    assert.equal((await bare.execute(mysqlSpec(source.name), query, { maxRows: 10, timeoutMs: 10_000, signal: never })).rows, [[SECRET]]);
  } finally {
    await bare.close();
  }
  assert.is((await rejection(execute(query))).code, 'FORBIDDEN', 'the connector refuses it before it runs');
  const settings = { readableDatabases: [other.name] };
  const verdict = await validate(query, settings);
  assert.ok(verdict.allowed, JSON.stringify(verdict.reasons));
  assertRefused(await validate('SELECT * FROM mysql.user', { readableDatabases: ['mysql'] }), 'FORBIDDEN_RELATION', 'mysql listed as readable');
});

test('metadata views pinned to the source pass and return only its tables', async () => {
  const query = 'SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME';
  const verdict = await validate(query);
  assert.ok(verdict.allowed, JSON.stringify(verdict.reasons));
  const result = await execute(query);
  assert.ok(result.rowCount >= 11);
  assert.ok(result.rows.every((r) => r[0] === source.name));
});

test('views are judged by their definitions: over a stored function, over mysql.user or another database they are refused', async () => {
  for (const view of ['artist_touch', 'accounts', 'payroll_copy']) {
    const verdict = await validate(`SELECT * FROM ${view}`);
    assertRefused(verdict, 'FORBIDDEN_RELATION', view);
    assert.match(verdict.reasons[0]!.message, new RegExp(`The view ${source.name}\\.${view} cannot be read`));
  }
  for (const view of ['long_tracks', 'long_track_names']) {
    const verdict = await validate(`SELECT * FROM ${view}`);
    assert.ok(verdict.allowed, `${view}: ${JSON.stringify(verdict.reasons)}`);
    assert.ok((await execute(`SELECT * FROM ${view}`)).rowCount > 0);
  }
  // Trusting the database's functions (a risk the owner confirms) opens the view over touch().
  const trusted = await validate("SELECT * FROM artist_touch", { trustedFunctionSchemas: [source.name] });
  assert.ok(trusted.allowed, JSON.stringify(trusted.reasons));
});

const ANALYTICAL: Array<[string, string]> = [
  [
    'window functions',
    'SELECT AlbumId, Name, Milliseconds, RANK() OVER (PARTITION BY AlbumId ORDER BY Milliseconds DESC) AS rnk, SUM(Milliseconds) OVER (PARTITION BY AlbumId) AS album_ms, LAG(Name) OVER (ORDER BY TrackId) AS prev FROM Track WHERE AlbumId <= 3 ORDER BY AlbumId, rnk',
  ],
  [
    'CTEs, recursive too',
    'WITH RECURSIVE chain AS (SELECT EmployeeId, ReportsTo, 1 AS depth FROM Employee WHERE ReportsTo IS NULL UNION ALL SELECT e.EmployeeId, e.ReportsTo, c.depth + 1 FROM Employee e JOIN chain c ON e.ReportsTo = c.EmployeeId), sales AS (SELECT SupportRepId, COUNT(*) AS n FROM Customer GROUP BY SupportRepId) SELECT chain.EmployeeId, chain.depth, sales.n FROM chain LEFT JOIN sales ON sales.SupportRepId = chain.EmployeeId ORDER BY chain.EmployeeId',
  ],
  [
    'JSON_EXTRACT',
    "SELECT CustomerId, JSON_EXTRACT(doc, '$.country') AS country, JSON_UNQUOTE(JSON_EXTRACT(doc, '$.email')) AS email, JSON_VALUE(doc, '$.city') AS city FROM (SELECT CustomerId, JSON_OBJECT('country', Country, 'email', Email, 'city', City) AS doc FROM Customer) d ORDER BY CustomerId LIMIT 10",
  ],
  [
    'date math',
    "SELECT DATE_FORMAT(InvoiceDate, '%Y-%m') AS month, COUNT(*), SUM(Total), MIN(DATE_ADD(InvoiceDate, INTERVAL 30 DAY)), MAX(DATEDIFF(InvoiceDate, '2021-01-01')), MAX(TIMESTAMPDIFF(MONTH, '2021-01-01', InvoiceDate)), MAX(InvoiceDate - INTERVAL 1 YEAR) FROM Invoice WHERE InvoiceDate >= '2021-01-01' + INTERVAL 0 DAY GROUP BY month ORDER BY month",
  ],
  ['REGEXP', "SELECT Name, REGEXP_REPLACE(Composer, '[/&,].*$', '') AS lead, REGEXP_SUBSTR(Name, '[A-Z][a-z]+') AS word FROM Track WHERE Composer REGEXP '^[A-M]' AND Name NOT REGEXP '[0-9]' ORDER BY TrackId LIMIT 20"],
  ['GROUP_CONCAT', "SELECT ar.Name, GROUP_CONCAT(DISTINCT al.Title ORDER BY al.Title SEPARATOR ' | ') AS albums, COUNT(*) AS n FROM Artist ar JOIN Album al ON al.ArtistId = ar.ArtistId GROUP BY ar.ArtistId, ar.Name HAVING n > 2 ORDER BY n DESC, ar.Name"],
  ['MariaDB-only built-ins (the flavour is learnt from the server)', 'SELECT DISTINCT AlbumId, MEDIAN(Milliseconds) OVER (PARTITION BY AlbumId) AS median_ms, NVL(Composer, \'?\') FROM Track WHERE AlbumId <= 3'],
];

for (const [topic, query] of ANALYTICAL) {
  test(`accepted and runs: ${topic}`, async () => {
    const verdict = await validate(query);
    assert.ok(verdict.allowed, JSON.stringify(verdict.reasons));
    const result = await execute(query);
    assert.ok(result.rowCount > 0, 'no rows');
  });
}

test.run();
