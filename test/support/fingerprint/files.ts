/**
 * A canary for file sources (DuckDB): a source imported from CSV and JSON
 * files that sit inside a canary folder next to files that are not part of
 * the source (a text file, a CSV, a JSON file, another DuckDB database and a
 * Parquet file, each holding a secret), HOME and the working directory moved
 * into watched folders, a secret in the environment; a fingerprint of every
 * file an attack could write or change, and a repair.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { canaryDir, diffSnapshots, listFiles, secretWord, type CanaryDir, type Snapshot } from './common';

const ENV_NAME = 'POLYSTORE_CANARY_ENV';

export interface FilesSecrets {
  file: string;
  csvHead: string;
  csv: string;
  json: string;
  payroll: string;
  env: string;
  dirName: string;
  workDir: string;
  home: string;
}

/** The source's files: small, deterministic, rewritten identically by a repair. */
function sourceFiles(): Record<string, string> {
  const names = ['Ada  Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov'];
  const countries = ['DE', 'FR', 'US', 'BR', 'JP'];
  const statuses = ['paid', 'open', 'refunded'];
  const day = (base: string, days: number) => new Date(Date.parse(base) + days * 86_400_000).toISOString().slice(0, 10);
  const customers = ['id,name,email,country,signup,tier'];
  for (let g = 1; g <= 40; g++) {
    customers.push(`${g},${names[g % 5]} ${g},user${g}@example.${g % 2 === 0 ? 'com' : 'org'},${countries[g % 5]},${day('2020-01-01', g * 17)},${g % 3 === 0 ? 'gold' : 'silver'}`);
  }
  const orders = ['id,customer_id,total,placed_at,status,tags'];
  for (let g = 1; g <= 200; g++) {
    const at = new Date(Date.parse('2024-01-01T00:00:00Z') + g * 37 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
    orders.push(`${g},${1 + (g % 40)},${((g * 7.31) % 250).toFixed(2)},${at},${statuses[g % 3]},t${g % 4};x`);
  }
  const categories = ['id,parent_id,name', '1,,All', '2,1,Books', '3,1,Music', '4,2,Fiction', '5,2,Science', '6,3,Jazz', '7,5,Physics'];
  const events: string[] = [];
  for (let g = 1; g <= 300; g++) {
    const at = new Date(Date.parse('2024-01-01T00:00:00Z') + g * 60_000).toISOString();
    events.push(JSON.stringify({ id: g, at, kind: `k${g % 7}`, payload: { source: g % 2 ? 'web' : 'app', score: g % 10 } }));
  }
  return {
    'customers.csv': `${customers.join('\n')}\n`,
    'orders.csv': `${orders.join('\n')}\n`,
    'categories.csv': `${categories.join('\n')}\n`,
    'events.json': `${events.join('\n')}\n`,
  };
}

export class FilesCanary {
  readonly root: string;
  readonly sourceDir: string;
  readonly workDir: string;
  readonly home: string;
  readonly cwd: string;
  readonly dir: CanaryDir;
  readonly secrets: FilesSecrets;
  readonly #seed: string;
  readonly #previous = { home: process.env.HOME, env: process.env[ENV_NAME], cwd: process.cwd() };
  #raw: { instance: DuckDBInstance; connection: DuckDBConnection } | null = null;
  /** The source's DuckDB database (known after the import), which the unguarded session opens. */
  databasePath = '';

  private constructor(seed: string, root: string, secrets: Omit<FilesSecrets, 'file' | 'dirName' | 'workDir' | 'home'>) {
    this.root = root;
    this.#seed = seed;
    this.workDir = path.join(root, 'work');
    this.home = path.join(root, 'home');
    this.cwd = path.join(root, 'cwd');
    for (const d of [this.workDir, this.home, this.cwd]) fs.mkdirSync(d, { recursive: true });
    this.dir = canaryDir('duckdb', {
      parent: root,
      populate: (dir, privateDir) => {
        for (const f of fs.readdirSync(seed)) fs.copyFileSync(path.join(seed, f), path.join(privateDir, f));
        const source = path.join(dir, 'source');
        fs.mkdirSync(source, { recursive: true });
        for (const [name, text] of Object.entries(sourceFiles())) fs.writeFileSync(path.join(source, name), text);
      },
    });
    this.sourceDir = path.join(this.dir.path, 'source');
    this.secrets = { ...secrets, file: this.dir.secretContent, dirName: this.dir.listingSecret, workDir: this.workDir, home: this.home };
  }

  /** Builds the folders and files; the caller imports the source (importFiles) with `paths` and `workDir`. */
  static async create(): Promise<FilesCanary> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'polystore-canary-duckdb-root-'));
    const seed = path.join(root, 'seed');
    fs.mkdirSync(seed);
    const secrets = { csvHead: secretWord('csvhead'), csv: secretWord('csv'), json: secretWord('json'), payroll: secretWord('payroll'), env: secretWord('env') };
    fs.writeFileSync(path.join(seed, 'secret.csv'), `${secrets.csvHead},b\n${secrets.csv},2\n`);
    fs.writeFileSync(path.join(seed, 'secret2.CSV'), `${secrets.csvHead},b\n${secrets.csv},2\n`);
    fs.writeFileSync(path.join(seed, 'secret.json'), `${JSON.stringify({ secret: secrets.json })}\n`);
    const instance = await DuckDBInstance.create(path.join(seed, 'other.duckdb'));
    const connection = await instance.connect();
    try {
      await connection.run(`CREATE TABLE payroll AS SELECT * FROM (VALUES (1, 'Ada', '${secrets.payroll}'), (2, 'Bob', '${secrets.payroll}')) t(id, name, secret)`);
      await connection.run(`COPY payroll TO '${path.join(seed, 'payroll.parquet')}' (FORMAT parquet)`);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    const canary = new FilesCanary(seed, root, secrets);
    // DuckDB keeps extensions and persistent secrets below HOME, and resolves relative paths against the working
    // directory: both are moved into watched folders so a write there is seen. The environment holds a secret.
    process.env.HOME = canary.home;
    process.env[ENV_NAME] = secrets.env;
    process.chdir(canary.cwd);
    return canary;
  }

  get paths(): string[] {
    return Object.keys(sourceFiles()).map((f) => path.join(this.sourceDir, f));
  }

  get placeholders(): Record<string, string> {
    const secretCsv = path.join(this.dir.path, 'private', 'secret.csv');
    return {
      dir: this.dir.path,
      sourceDir: this.sourceDir,
      home: this.home,
      secretFile: this.dir.secretFile,
      secretCsv,
      secretCsvHex: Buffer.from(secretCsv, 'utf8').toString('hex'),
      secretCsvE: [...Buffer.from(secretCsv, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join(''),
      secretCsvUpperExt: path.join(this.dir.path, 'private', 'secret2.CSV'),
      secretJson: path.join(this.dir.path, 'private', 'secret.json'),
      otherDuckdb: path.join(this.dir.path, 'private', 'other.duckdb'),
      otherParquet: path.join(this.dir.path, 'private', 'payroll.parquet'),
    };
  }

  async snapshot(): Promise<Snapshot> {
    return {
      files: this.dir.listing(),
      work: listFiles(this.workDir),
      home: listFiles(this.home),
      cwd: listFiles(this.cwd),
      seed: listFiles(this.#seed),
    };
  }

  async repair(before: Snapshot, after: Snapshot): Promise<void> {
    const changed = new Set(diffSnapshots(before, after).map((d) => d.slice(0, d.indexOf(':'))));
    if (changed.has('files')) this.dir.reset();
    for (const [facet, dir] of [['home', this.home], ['cwd', this.cwd]] as const) {
      if (!changed.has(facet)) continue;
      for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
    if (changed.has('unguarded_session')) this.#closeRaw();
  }

  /**
   * Runs a query on a raw DuckDB connection to the source's database opened READ_ONLY with DuckDB's defaults, and
   * nothing else: what an attack does when no check stops it. DuckDB has no statement timeout: it is interrupted.
   */
  async unguarded(query: string, timeoutMs: number): Promise<string> {
    const connection = await this.#rawConnection();
    const timer = setTimeout(() => connection.interrupt(), timeoutMs);
    try {
      const reader = await connection.runAndReadAll(query);
      return JSON.stringify([reader.columnNames(), reader.getRowsJson()]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** State the unguarded connection kept (settings, attached databases, temporary objects, secrets, variables). */
  async unguardedSession(): Promise<string> {
    try {
      const reader = await (await this.#rawConnection()).runAndReadAll(FILES_SESSION_PROBE_UNGUARDED);
      const row = reader.getRowsJson()[0] ?? [];
      return reader
        .columnNames()
        .map((name, i) => `${name}=${JSON.stringify(row[i])}`)
        .join('\n');
    } finally {
      // Every unguarded attack starts on a fresh instance: what one left behind (profiling that prints every later
      // query, a lowered memory limit) would otherwise change what the next one does.
      this.#closeRaw();
    }
  }

  async #rawConnection(): Promise<DuckDBConnection> {
    if (!this.#raw) {
      const instance = await DuckDBInstance.create(this.databasePath, { access_mode: 'READ_ONLY' });
      this.#raw = { instance, connection: await instance.connect() };
    }
    return this.#raw.connection;
  }

  #closeRaw(): void {
    try {
      this.#raw?.connection.closeSync();
      this.#raw?.instance.closeSync();
    } catch {
      // A connection still busy with an interrupted query: dropped with the instance.
    }
    this.#raw = null;
  }

  close(): void {
    this.#closeRaw();
    process.chdir(this.#previous.cwd);
    if (this.#previous.home === undefined) delete process.env.HOME;
    else process.env.HOME = this.#previous.home;
    if (this.#previous.env === undefined) delete process.env[ENV_NAME];
    else process.env[ENV_NAME] = this.#previous.env;
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

const FILES_SESSION_PROBE_UNGUARDED = `SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS memory_limit,
  current_setting('enable_external_access') AS external_access, current_setting('lock_configuration') AS locked,
  current_setting('file_search_path') AS file_search_path, current_setting('enable_profiling') AS profiling,
  current_setting('temp_directory') AS temp_directory, current_setting('home_directory') AS home_directory,
  current_setting('allowed_directories')::VARCHAR AS allowed_directories, current_setting('allowed_paths')::VARCHAR AS allowed_paths,
  current_setting('custom_extension_repository') AS repository, current_setting('extension_directory') AS extension_directory,
  current_setting('search_path') AS search_path, current_setting('enable_logging')::VARCHAR AS logging,
  (SELECT count(*) FROM duckdb_databases()) AS databases, (SELECT count(*) FROM duckdb_tables() WHERE temporary) AS temp_tables,
  (SELECT count(*) FROM duckdb_views() WHERE temporary) AS temp_views,
  (SELECT count(*) FROM duckdb_functions() WHERE function_type LIKE '%macro' AND NOT internal) AS macros,
  (SELECT count(*) FROM duckdb_secrets()) AS secrets, (SELECT count(*) FROM duckdb_variables()) AS variables`;
