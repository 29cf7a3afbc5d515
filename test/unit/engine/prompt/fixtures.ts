/**
 * MetadataDocuments for prompt tests, shaped after the real test databases
 * (Chinook for PostgreSQL, Sakila for MySQL, sample_mflix for MongoDB) and a
 * generator for very large schemas.
 */
import type { MetadataDocument, MetadataField, MetadataObject, NormalizedType } from '../../../../engine/contract/index';

type Sample = string | number | boolean;

interface ColumnOptions {
  pk?: boolean;
  notNull?: boolean;
  /** "table.column" or "schema.table.column" */
  fk?: string;
  comment?: string;
  samples?: Sample[];
  presence?: number;
  observed?: string[];
  type?: NormalizedType;
}

const TYPE_MAP: Array<[RegExp, NormalizedType]> = [
  [/^(integer|int|smallint|bigint|int4|int8|tinyint|mediumint)/i, 'integer'],
  [/^(numeric|decimal)/i, 'decimal'],
  [/^(double|real|float)/i, 'float'],
  [/^bool/i, 'boolean'],
  [/^date$/i, 'date'],
  [/^timestamp with time zone/i, 'timestamptz'],
  [/^(timestamp|datetime)/i, 'timestamp'],
  [/^(json|jsonb)$/i, 'json'],
  [/^uuid$/i, 'uuid'],
];

export function col(name: string, nativeType: string, o: ColumnOptions = {}): MetadataField {
  const parts = o.fk?.split('.') ?? [];
  const foreignKey = o.fk ? { schema: parts.length === 3 ? parts[0]! : null, table: parts.at(-2)!, column: parts.at(-1)! } : null;
  return {
    name,
    type: o.type ?? TYPE_MAP.find(([p]) => p.test(nativeType))?.[1] ?? 'string',
    nativeType,
    nullable: !(o.pk || o.notNull),
    primaryKey: Boolean(o.pk),
    foreignKey,
    comment: o.comment ?? null,
    presence: o.presence ?? null,
    observedTypes: (o.observed ?? []).map((type) => ({ type, count: 100 })),
    sampleValues: o.samples ?? [],
  };
}

export function table(name: string, fields: MetadataField[], o: { rows?: number; comment?: string; kind?: MetadataObject['kind'] } = {}): MetadataObject {
  return { name, kind: o.kind ?? 'table', rowEstimate: o.rows ?? null, comment: o.comment ?? null, fields, foreignKeys: [], origin: null };
}

export function doc(sourceType: MetadataDocument['sourceType'], databases: Array<{ name: string; schemas: Array<{ name: string | null; objects: MetadataObject[] }> }>, serverVersion: string | null = null): MetadataDocument {
  return { sourceId: 'src_test', sourceType, serverVersion, fetchedAt: '2025-01-01T00:00:00.000Z', databases, cached: false };
}

export function chinookPostgres(): MetadataDocument {
  return doc(
    'postgres',
    [
      {
        name: 'chinook',
        schemas: [
          {
            name: 'public',
            objects: [
              table('album', [col('album_id', 'integer', { pk: true }), col('title', 'character varying(160)', { notNull: true, samples: ['For Those About To Rock We Salute You', 'Balls to the Wall'] }), col('artist_id', 'integer', { notNull: true, fk: 'artist.artist_id' })], { rows: 347 }),
              table('artist', [col('artist_id', 'integer', { pk: true }), col('name', 'character varying(120)', { samples: ['AC/DC', 'Accept', 'Aerosmith'] })], { rows: 275 }),
              table(
                'customer',
                [
                  col('customer_id', 'integer', { pk: true }),
                  col('first_name', 'character varying(40)', { notNull: true }),
                  col('last_name', 'character varying(20)', { notNull: true }),
                  col('company', 'character varying(80)'),
                  col('city', 'character varying(40)', { samples: ['São José dos Campos', 'Stuttgart', 'Montréal'] }),
                  col('country', 'character varying(40)', { samples: ['Brazil', 'Germany', 'Canada', 'USA'] }),
                  col('email', 'character varying(60)', { notNull: true, samples: ['luisg@embraer.com.br'] }),
                  col('support_rep_id', 'integer', { fk: 'employee.employee_id', comment: 'The sales support agent' }),
                ],
                { rows: 59 },
              ),
              table(
                'employee',
                [
                  col('employee_id', 'integer', { pk: true }),
                  col('last_name', 'character varying(20)', { notNull: true }),
                  col('first_name', 'character varying(20)', { notNull: true }),
                  col('title', 'character varying(30)', { samples: ['General Manager', 'Sales Support Agent'] }),
                  col('reports_to', 'integer', { fk: 'employee.employee_id' }),
                  col('hire_date', 'timestamp without time zone'),
                ],
                { rows: 8 },
              ),
              table('genre', [col('genre_id', 'integer', { pk: true }), col('name', 'character varying(120)', { samples: ['Rock', 'Jazz', 'Metal'] })], { rows: 25 }),
              table(
                'invoice',
                [
                  col('invoice_id', 'integer', { pk: true }),
                  col('customer_id', 'integer', { notNull: true, fk: 'customer.customer_id' }),
                  col('invoice_date', 'timestamp without time zone', { notNull: true }),
                  col('billing_country', 'character varying(40)', { samples: ['Germany', 'Norway', 'Belgium'] }),
                  col('total', 'numeric(10,2)', { notNull: true, comment: 'Invoice total in USD' }),
                ],
                { rows: 412 },
              ),
              table(
                'invoice_line',
                [
                  col('invoice_line_id', 'integer', { pk: true }),
                  col('invoice_id', 'integer', { notNull: true, fk: 'invoice.invoice_id' }),
                  col('track_id', 'integer', { notNull: true, fk: 'track.track_id' }),
                  col('unit_price', 'numeric(10,2)', { notNull: true }),
                  col('quantity', 'integer', { notNull: true }),
                ],
                { rows: 2240 },
              ),
              table('media_type', [col('media_type_id', 'integer', { pk: true }), col('name', 'character varying(120)', { samples: ['MPEG audio file', 'Protected AAC audio file'] })], { rows: 5 }),
              table('playlist', [col('playlist_id', 'integer', { pk: true }), col('name', 'character varying(120)', { samples: ['Music', 'Movies', 'TV Shows'] })], { rows: 18 }),
              table('playlist_track', [col('playlist_id', 'integer', { pk: true, fk: 'playlist.playlist_id' }), col('track_id', 'integer', { pk: true, fk: 'track.track_id' })], { rows: 8715 }),
              table(
                'track',
                [
                  col('track_id', 'integer', { pk: true }),
                  col('name', 'character varying(200)', { notNull: true }),
                  col('album_id', 'integer', { fk: 'album.album_id' }),
                  col('media_type_id', 'integer', { notNull: true, fk: 'media_type.media_type_id' }),
                  col('genre_id', 'integer', { fk: 'genre.genre_id' }),
                  col('composer', 'character varying(220)'),
                  col('milliseconds', 'integer', { notNull: true, comment: 'Duration' }),
                  col('unit_price', 'numeric(10,2)', { notNull: true }),
                ],
                { rows: 3503 },
              ),
            ],
          },
        ],
      },
    ],
    '15.8',
  );
}

export function sakilaMysql(): MetadataDocument {
  return doc(
    'mysql',
    [
      {
        name: 'sakila',
        schemas: [
          {
            name: null,
            objects: [
              table('actor', [col('actor_id', 'smallint unsigned', { pk: true }), col('first_name', 'varchar(45)', { notNull: true, samples: ['PENELOPE', 'NICK'] }), col('last_name', 'varchar(45)', { notNull: true }), col('last_update', 'timestamp', { notNull: true })], { rows: 200 }),
              table(
                'film',
                [
                  col('film_id', 'smallint unsigned', { pk: true }),
                  col('title', 'varchar(128)', { notNull: true, samples: ['ACADEMY DINOSAUR', 'ACE GOLDFINGER'] }),
                  col('release_year', 'year'),
                  col('rating', "enum('G','PG','PG-13','R','NC-17')", { samples: ['PG', 'G', 'NC-17'] }),
                  col('rental_rate', 'decimal(4,2)', { notNull: true }),
                  col('length', 'smallint unsigned', { comment: 'Minutes' }),
                ],
                { rows: 1000 },
              ),
              table('film_actor', [col('actor_id', 'smallint unsigned', { pk: true, fk: 'actor.actor_id' }), col('film_id', 'smallint unsigned', { pk: true, fk: 'film.film_id' })], { rows: 5462 }),
              table('category', [col('category_id', 'tinyint unsigned', { pk: true }), col('name', 'varchar(25)', { notNull: true, samples: ['Action', 'Animation', 'Children'] })], { rows: 16 }),
              table('film_category', [col('film_id', 'smallint unsigned', { pk: true, fk: 'film.film_id' }), col('category_id', 'tinyint unsigned', { pk: true, fk: 'category.category_id' })], { rows: 1000 }),
              table(
                'rental',
                [
                  col('rental_id', 'int', { pk: true }),
                  col('rental_date', 'datetime', { notNull: true }),
                  col('inventory_id', 'mediumint unsigned', { notNull: true, fk: 'inventory.inventory_id' }),
                  col('customer_id', 'smallint unsigned', { notNull: true, fk: 'customer.customer_id' }),
                  col('return_date', 'datetime'),
                ],
                { rows: 16044 },
              ),
              table('inventory', [col('inventory_id', 'mediumint unsigned', { pk: true }), col('film_id', 'smallint unsigned', { notNull: true, fk: 'film.film_id' }), col('store_id', 'tinyint unsigned', { notNull: true })], { rows: 4581 }),
              table('customer', [col('customer_id', 'smallint unsigned', { pk: true }), col('first_name', 'varchar(45)', { notNull: true }), col('last_name', 'varchar(45)', { notNull: true }), col('active', 'tinyint(1)', { notNull: true })], { rows: 599 }),
              table('order', [col('id', 'int', { pk: true }), col('key', 'varchar(10)')], { rows: 0, comment: 'A badly named table, to show quoting' }),
            ],
          },
        ],
      },
    ],
    '10.11.6-MariaDB',
  );
}

export function filesDuckdb(): MetadataDocument {
  return doc(
    'file',
    [
      {
        name: 'files',
        schemas: [
          {
            name: 'main',
            objects: [
              table(
                'sales_2024',
                [col('Order Date', 'DATE', { samples: ['2024-01-03'] }), col('Region', 'VARCHAR', { samples: ['EMEA', 'APAC', 'Americas'] }), col('Units', 'BIGINT'), col('Revenue (EUR)', 'DOUBLE')],
                { rows: 120_000, kind: 'file' },
              ),
              table('regions', [col('Region', 'VARCHAR', { samples: ['EMEA', 'APAC'] }), col('manager', 'VARCHAR')], { rows: 3, kind: 'file' }),
            ],
          },
        ],
      },
    ],
    'DuckDB 1.5.6',
  );
}

export function mflixMongo(): MetadataDocument {
  return doc(
    'mongodb',
    [
      {
        name: 'sample_mflix',
        schemas: [
          {
            name: null,
            objects: [
              table(
                'movies',
                [
                  col('_id', 'objectId', { type: 'objectId', observed: ['objectId'] }),
                  col('title', 'string', { observed: ['string'], samples: ['Blacksmith Scene', 'The Great Train Robbery'] }),
                  col('year', 'int', { type: 'integer', observed: ['int', 'string'], presence: 1 }),
                  col('genres', 'array', { type: 'array', observed: ['array'], presence: 0.99 }),
                  col('imdb.rating', 'double', { type: 'float', observed: ['double', 'string'], presence: 0.97 }),
                  col('released', 'date', { type: 'timestamp', observed: ['date'], presence: 0.88 }),
                ],
                { rows: 23_530, kind: 'collection' },
              ),
              table(
                'comments',
                [
                  col('_id', 'objectId', { type: 'objectId', observed: ['objectId'] }),
                  col('movie_id', 'objectId', { type: 'objectId', observed: ['objectId'], fk: 'movies._id' }),
                  col('name', 'string', { observed: ['string'], samples: ['Mercedes Tyler'] }),
                  col('date', 'date', { type: 'timestamp', observed: ['date'] }),
                ],
                { rows: 41_079, kind: 'collection' },
              ),
              table(
                'users',
                [
                  col('_id', 'objectId', { type: 'objectId', observed: ['objectId'] }),
                  col('name', 'string', { observed: ['string'], samples: ['Ned Stark', 'Robert Baratheon'] }),
                  col('email', 'string', { observed: ['string'], samples: ['sean_bean@gameofthron.es'] }),
                  // Real values from sample_mflix.users: bcrypt hashes.
                  col('password', 'string', { observed: ['string'], samples: ['$2b$12$UREFwsRUoyF0CRqGNK0LzO0HM/jLhgUCNNIJ9RJAqMUQ74crlJ1Vu'] }),
                ],
                { rows: 185, kind: 'collection' },
              ),
            ],
          },
        ],
      },
    ],
    '7.0.14',
  );
}

const NOUNS = ['account', 'order', 'invoice', 'payment', 'shipment', 'product', 'supplier', 'warehouse', 'employee', 'department', 'campaign', 'ticket', 'contract', 'asset', 'vehicle', 'route', 'claim', 'policy', 'subscription', 'device', 'sensor', 'reading', 'store', 'region', 'budget'];
const QUALIFIERS = ['', 'archive', 'audit', 'detail', 'history', 'line', 'note', 'status', 'type', 'event', 'snapshot', 'staging', 'daily', 'monthly', 'item', 'map', 'tag', 'log', 'rule', 'batch', 'queue', 'alias', 'rate', 'score', 'plan', 'link', 'flag', 'metric', 'stat', 'group', 'owner', 'review', 'request', 'result', 'schedule', 'slot', 'target', 'version', 'window', 'zone'];
const COLUMN_WORDS = ['name', 'code', 'status', 'amount', 'quantity', 'created_at', 'updated_at', 'description', 'country', 'city', 'price', 'currency', 'category', 'priority', 'score', 'external_ref', 'is_active', 'valid_from', 'valid_to', 'notes'];

/**
 * A deterministic schema of `count` tables in several schemas, 6 to 25
 * columns each, with foreign keys to earlier tables, comments and samples:
 * the shape of a large ERP database.
 */
export function generatedSchema(count: number): MetadataDocument {
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const schemas = new Map<string, MetadataObject[]>();
  const names: Array<{ schema: string; name: string; pk: string }> = [];
  for (let i = 0; i < count; i++) {
    const noun = NOUNS[i % NOUNS.length]!;
    const qualifier = QUALIFIERS[Math.floor(i / NOUNS.length) % QUALIFIERS.length]!;
    const round = Math.floor(i / (NOUNS.length * QUALIFIERS.length));
    const name = [noun, qualifier, round ? String(round) : ''].filter(Boolean).join('_');
    const schema = ['sales', 'ops', 'finance', 'hr'][i % 4]!;
    const fields: MetadataField[] = [col(`${name}_id`, 'bigint', { pk: true })];
    const fkCount = i === 0 ? 0 : 1 + Math.floor(random() * 3);
    for (let k = 0; k < fkCount; k++) {
      const target = names[Math.floor(random() * names.length)]!;
      fields.push(col(`${target.name}_id`, 'bigint', { fk: `${target.schema}.${target.name}.${target.pk}` }));
    }
    const columns = 4 + Math.floor(random() * 20);
    for (let k = 0; k < columns; k++) {
      const word = COLUMN_WORDS[(i + k * 7) % COLUMN_WORDS.length]!;
      const fieldName = k < COLUMN_WORDS.length ? word : `${word}_${k}`;
      const samples = word === 'country' ? ['Brazil', 'Germany', 'Japan'] : word === 'status' ? ['open', 'closed'] : [];
      fields.push(col(fieldName, word.endsWith('_at') ? 'timestamp with time zone' : word === 'amount' || word === 'price' ? 'numeric(12,2)' : 'character varying(80)', { samples }));
    }
    const object = table(name, fields, { rows: Math.floor(random() * 1e6), comment: random() < 0.3 ? `Holds ${noun} ${qualifier || 'master'} records` : undefined });
    if (!schemas.has(schema)) schemas.set(schema, []);
    schemas.get(schema)!.push(object);
    names.push({ schema, name, pk: `${name}_id` });
  }
  return doc('postgres', [{ name: 'erp', schemas: [...schemas].map(([name, objects]) => ({ name, objects })) }], '16.4');
}
