#!/usr/bin/env node
// Builds the sample data shipped with the app: the Chinook music store (MIT, lerocha/chinook-database)
// as one Parquet file per table in build-resources/sample/chinook/.
//
//   node scripts/make-sample.mjs [--from ChinookData.json] [--out DIR]
//
// The input is upstream's ChinookData.json (the document all of upstream's SQL scripts are generated from);
// by default the copy in shared/testdata beside the repository. Names and types follow upstream's
// PostgreSQL script (snake_case tables and columns, NUMERIC(10,2) money, TIMESTAMP dates), and an empty
// string becomes NULL as it does there. Rows are written in primary-key order, so the same input and
// DuckDB version give the same files.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argValue = (flag, fallback) => {
  const i = process.argv.indexOf(flag);
  return i > 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : fallback;
};
const from = argValue('--from', path.resolve(root, '..', 'shared', 'testdata', 'sql', 'chinook', 'ChinookData.json'));
const out = argValue('--out', path.join(root, 'build-resources', 'sample', 'chinook'));

/**
 * Each table: its name in ChinookData.json, then columns as [upstream key, DuckDB type] in upstream's order;
 * the first column(s) listed in `key` order the rows.
 */
const TABLES = {
  artist: { from: 'Artist', key: ['artist_id'], columns: [['ArtistId', 'INTEGER'], ['Name', 'VARCHAR']] },
  album: { from: 'Album', key: ['album_id'], columns: [['AlbumId', 'INTEGER'], ['Title', 'VARCHAR'], ['ArtistId', 'INTEGER']] },
  genre: { from: 'Genre', key: ['genre_id'], columns: [['GenreId', 'INTEGER'], ['Name', 'VARCHAR']] },
  media_type: { from: 'MediaType', key: ['media_type_id'], columns: [['MediaTypeId', 'INTEGER'], ['Name', 'VARCHAR']] },
  track: {
    from: 'Track',
    key: ['track_id'],
    columns: [
      ['TrackId', 'INTEGER'],
      ['Name', 'VARCHAR'],
      ['AlbumId', 'INTEGER'],
      ['MediaTypeId', 'INTEGER'],
      ['GenreId', 'INTEGER'],
      ['Composer', 'VARCHAR'],
      ['Milliseconds', 'INTEGER'],
      ['Bytes', 'INTEGER'],
      ['UnitPrice', 'DECIMAL(10,2)'],
    ],
  },
  employee: {
    from: 'Employee',
    key: ['employee_id'],
    columns: [
      ['EmployeeId', 'INTEGER'],
      ['LastName', 'VARCHAR'],
      ['FirstName', 'VARCHAR'],
      ['Title', 'VARCHAR'],
      ['ReportsTo', 'INTEGER'],
      ['BirthDate', 'TIMESTAMP'],
      ['HireDate', 'TIMESTAMP'],
      ['Address', 'VARCHAR'],
      ['City', 'VARCHAR'],
      ['State', 'VARCHAR'],
      ['Country', 'VARCHAR'],
      ['PostalCode', 'VARCHAR'],
      ['Phone', 'VARCHAR'],
      ['Fax', 'VARCHAR'],
      ['Email', 'VARCHAR'],
    ],
  },
  customer: {
    from: 'Customer',
    key: ['customer_id'],
    columns: [
      ['CustomerId', 'INTEGER'],
      ['FirstName', 'VARCHAR'],
      ['LastName', 'VARCHAR'],
      ['Company', 'VARCHAR'],
      ['Address', 'VARCHAR'],
      ['City', 'VARCHAR'],
      ['State', 'VARCHAR'],
      ['Country', 'VARCHAR'],
      ['PostalCode', 'VARCHAR'],
      ['Phone', 'VARCHAR'],
      ['Fax', 'VARCHAR'],
      ['Email', 'VARCHAR'],
      ['SupportRepId', 'INTEGER'],
    ],
  },
  invoice: {
    from: 'Invoice',
    key: ['invoice_id'],
    columns: [
      ['InvoiceId', 'INTEGER'],
      ['CustomerId', 'INTEGER'],
      ['InvoiceDate', 'TIMESTAMP'],
      ['BillingAddress', 'VARCHAR'],
      ['BillingCity', 'VARCHAR'],
      ['BillingState', 'VARCHAR'],
      ['BillingCountry', 'VARCHAR'],
      ['BillingPostalCode', 'VARCHAR'],
      ['Total', 'DECIMAL(10,2)'],
    ],
  },
  invoice_line: {
    from: 'InvoiceLine',
    key: ['invoice_line_id'],
    columns: [
      ['InvoiceLineId', 'INTEGER'],
      ['InvoiceId', 'INTEGER'],
      ['TrackId', 'INTEGER'],
      ['UnitPrice', 'DECIMAL(10,2)'],
      ['Quantity', 'INTEGER'],
    ],
  },
  playlist: { from: 'Playlist', key: ['playlist_id'], columns: [['PlaylistId', 'INTEGER'], ['Name', 'VARCHAR']] },
  playlist_track: { from: 'PlaylistTrack', key: ['playlist_id', 'track_id'], columns: [['PlaylistId', 'INTEGER'], ['TrackId', 'INTEGER']] },
};

/** Upstream's key to its PostgreSQL column name: InvoiceLineId -> invoice_line_id. */
const snake = (key) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

function literal(value) {
  if (value === null || value === undefined || value === '') return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

const ROWS_PER_INSERT = 1000;

async function main() {
  const data = JSON.parse(fs.readFileSync(from, 'utf8'));
  fs.mkdirSync(out, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const [table, spec] of Object.entries(TABLES)) {
      const rows = data[spec.from];
      if (!Array.isArray(rows)) throw new Error(`${from} has no ${spec.from} array`);
      const extra = Object.keys(rows[0] ?? {}).filter((k) => !spec.columns.some(([c]) => c === k));
      if (extra.length) throw new Error(`${spec.from} has columns this script does not know: ${extra.join(', ')}`);
      const columns = spec.columns.map(([key, type]) => `${snake(key)} ${type}`).join(', ');
      await connection.run(`CREATE TABLE ${table} (${columns})`);
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        const values = rows.slice(i, i + ROWS_PER_INSERT).map((row) => `(${spec.columns.map(([key]) => literal(row[key])).join(', ')})`);
        await connection.run(`INSERT INTO ${table} VALUES ${values.join(',\n')}`);
      }
      const target = path.join(out, `${table}.parquet`);
      fs.rmSync(target, { force: true });
      await connection.run(`COPY (SELECT * FROM ${table} ORDER BY ${spec.key.join(', ')}) TO '${target.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`);
      console.log(`${table}: ${rows.length} rows, ${fs.statSync(target).size} bytes`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

await main();
