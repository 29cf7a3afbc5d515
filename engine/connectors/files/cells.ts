import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBGeometryValue,
  DuckDBIntervalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimeNSValue,
  DuckDBTimeTZValue,
  DuckDBTimeValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  DuckDBUnionValue,
  DuckDBVariantValue,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { NormalizedType, ResultColumn } from '../../contract/index';

/**
 * The normalized type of a DuckDB type as DuckDB spells it (`DuckDBType.toString()`,
 * `duckdb_columns().data_type`, `DESCRIBE`): one mapping for results and metadata.
 */
export function normalizeType(nativeType: string): NormalizedType {
  const t = nativeType.trim().toUpperCase();
  if (/\[\d*\]$/.test(t)) return 'array';
  if (t.startsWith('STRUCT') || t.startsWith('MAP')) return 'object';
  if (t.startsWith('UNION')) return 'unknown';
  if (t.startsWith('DECIMAL') || t.startsWith('NUMERIC')) return 'decimal';
  if (t.startsWith('ENUM')) return 'string';
  switch (t) {
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'BIGINT':
    case 'HUGEINT':
    case 'UTINYINT':
    case 'USMALLINT':
    case 'UINTEGER':
    case 'UBIGINT':
    case 'UHUGEINT':
    case 'BIGNUM':
    case 'VARINT':
      return 'integer';
    case 'FLOAT':
    case 'DOUBLE':
      return 'float';
    case 'DATE':
      return 'date';
    case 'TIME':
    case 'TIME_NS':
    case 'TIME WITH TIME ZONE':
      return 'time';
    case 'TIMESTAMP':
    case 'TIMESTAMP_S':
    case 'TIMESTAMP_MS':
    case 'TIMESTAMP_NS':
      return 'timestamp';
    case 'TIMESTAMP WITH TIME ZONE':
      return 'timestamptz';
    case 'INTERVAL':
      return 'interval';
    case 'VARCHAR':
    case 'BIT':
      return 'string';
    case 'JSON':
    case 'VARIANT':
      return 'json';
    case 'BLOB':
    case 'GEOMETRY':
      return 'binary';
    case 'UUID':
      return 'uuid';
    case '"NULL"':
    case 'NULL':
      return 'null';
    default:
      return 'unknown';
  }
}

export function resultColumn(name: string, type: DuckDBType): ResultColumn {
  const nativeType = type.alias ?? type.toString();
  return { name, type: normalizeType(nativeType), nativeType };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

const pad = (n: number | bigint, width = 2) => String(n).padStart(width, '0');

/** Days since 1970-01-01 as an ISO-8601 date (proleptic Gregorian, astronomical years like `Date#toISOString`). */
export function isoDate(days: number): string {
  // Howard Hinnant's civil_from_days.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const y = year >= 0 && year <= 9999 ? pad(year, 4) : `${year < 0 ? '-' : '+'}${pad(Math.abs(year), 6)}`;
  return `${y}-${pad(month)}-${pad(day)}`;
}

/** A time of day from sub-second units since midnight; the fraction keeps only significant digits. */
function isoTime(units: bigint, unitsPerSecond: bigint, digits: number): string {
  const seconds = units / unitsPerSecond;
  const fraction = units % unitsPerSecond;
  const hms = `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}`;
  if (fraction === 0n) return hms;
  return `${hms}.${pad(fraction, digits).replace(/0+$/, '')}`;
}

function isoTimestamp(value: bigint, unitsPerSecond: bigint, digits: number, zone: '' | 'Z'): string {
  const unitsPerDay = unitsPerSecond * 86_400n;
  const days = floorDiv(value, unitsPerDay);
  return `${isoDate(Number(days))}T${isoTime(value - days * unitsPerDay, unitsPerSecond, digits)}${zone}`;
}

function isoOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const abs = Math.abs(offsetSeconds);
  return `${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor(abs / 60) % 60)}`;
}

/** ISO-8601 duration (`P1Y2M3DT4H5M6.5S`); DuckDB keeps months, days and micros apart, and so does this. */
export function isoInterval(months: number, days: number, micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const hours = abs / 3_600_000_000n;
  const minutes = (abs / 60_000_000n) % 60n;
  const secondsUnits = abs % 60_000_000n;
  const sign = negative ? '-' : '';
  let date = '';
  const years = Math.trunc(months / 12);
  const restMonths = months % 12;
  if (years) date += `${years}Y`;
  if (restMonths) date += `${restMonths}M`;
  if (days) date += `${days}D`;
  let time = '';
  if (hours) time += `${sign}${hours}H`;
  if (minutes) time += `${sign}${minutes}M`;
  if (secondsUnits) {
    const whole = secondsUnits / 1_000_000n;
    const fraction = secondsUnits % 1_000_000n;
    time += `${sign}${whole}${fraction ? `.${pad(fraction, 6).replace(/0+$/, '')}` : ''}S`;
  }
  if (!date && !time) return 'PT0S';
  return `P${date}${time ? `T${time}` : ''}`;
}

function hex(bytes: Uint8Array): string {
  return `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function integer(value: bigint): number | string {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
}

function float(value: number): number | string {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

/** DuckDB's infinite dates and timestamps, which have no ISO form. */
function infinite(value: { isFinite: boolean }, units: number | bigint): string | null {
  if (value.isFinite) return null;
  return units < 0 ? '-infinity' : 'infinity';
}

function mapKey(key: unknown): string {
  return typeof key === 'string' ? key : JSON.stringify(key);
}

/**
 * One DuckDB value as a JSON-safe cell (the contract's Cell): integers beyond
 * 2^53 and decimals as strings, temporal values ISO-8601, binary `\x` hex,
 * lists, structs and maps as JSON arrays and objects with converted members.
 * `type` is null where DuckDB does not say (members of a VARIANT).
 */
export function toCell(value: DuckDBValue, type: DuckDBType | null): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      return float(value);
    case 'bigint':
      return integer(value);
    case 'string':
      if (type?.alias === 'JSON') {
        try {
          return JSON.parse(value) as unknown;
        } catch {
          return value;
        }
      }
      return value;
  }
  if (value instanceof DuckDBDecimalValue) return value.toString();
  if (value instanceof DuckDBDateValue) return infinite(value, value.days) ?? isoDate(value.days);
  if (value instanceof DuckDBTimestampTZValue) return infinite(value, value.micros) ?? isoTimestamp(value.micros, 1_000_000n, 6, 'Z');
  if (value instanceof DuckDBTimestampValue) return infinite(value, value.micros) ?? isoTimestamp(value.micros, 1_000_000n, 6, '');
  if (value instanceof DuckDBTimestampSecondsValue) return infinite(value, value.seconds) ?? isoTimestamp(value.seconds, 1n, 0, '');
  if (value instanceof DuckDBTimestampMillisecondsValue) return infinite(value, value.millis) ?? isoTimestamp(value.millis, 1000n, 3, '');
  if (value instanceof DuckDBTimestampNanosecondsValue) return infinite(value, value.nanos) ?? isoTimestamp(value.nanos, 1_000_000_000n, 9, '');
  if (value instanceof DuckDBTimeValue) return isoTime(value.micros, 1_000_000n, 6);
  if (value instanceof DuckDBTimeNSValue) return isoTime(value.nanos, 1_000_000_000n, 9);
  if (value instanceof DuckDBTimeTZValue) return `${isoTime(value.micros, 1_000_000n, 6)}${isoOffset(value.offset)}`;
  if (value instanceof DuckDBIntervalValue) return isoInterval(value.months, value.days, value.micros);
  if (value instanceof DuckDBBlobValue) return hex(value.bytes);
  if (value instanceof DuckDBGeometryValue) return hex(value.bytes);
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) {
    const itemType = type?.typeId === DuckDBTypeId.LIST || type?.typeId === DuckDBTypeId.ARRAY ? type.valueType : null;
    return value.items.map((item) => toCell(item, itemType));
  }
  if (value instanceof DuckDBStructValue) {
    const struct = type?.typeId === DuckDBTypeId.STRUCT ? type : null;
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value.entries)) {
      const index = struct?.entryIndexes[key];
      out[key] = toCell(member, struct && index !== undefined ? (struct.entryTypes[index] ?? null) : null);
    }
    return out;
  }
  if (value instanceof DuckDBMapValue) {
    const map = type?.typeId === DuckDBTypeId.MAP ? type : null;
    const out: Record<string, unknown> = {};
    for (const entry of value.entries) out[mapKey(toCell(entry.key, map?.keyType ?? null))] = toCell(entry.value, map?.valueType ?? null);
    return out;
  }
  if (value instanceof DuckDBUnionValue) {
    return toCell(value.value, type?.typeId === DuckDBTypeId.UNION ? type.memberTypeForTag(value.tag) : null);
  }
  if (value instanceof DuckDBVariantValue) return toCell(value.value, value.type ?? null);
  // UUID, BIT and anything newer: DuckDB's own text form.
  return String(value);
}

type CellConverter = (value: DuckDBValue) => unknown;

const asIs: CellConverter = (value) => value;
const floatCell: CellConverter = (value) => (value === null ? null : float(value as number));
const integerCell: CellConverter = (value) => (value === null ? null : integer(value as bigint));

/**
 * `toCell` for one column, chosen once per result instead of once per cell:
 * the common scalar types take a direct path (a 10,000-row result converts
 * tens of thousands of cells), everything else goes through `toCell`.
 */
export function cellConverter(type: DuckDBType): CellConverter {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
      return asIs;
    case DuckDBTypeId.VARCHAR:
      return type.alias === undefined ? asIs : (value) => toCell(value, type);
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return floatCell;
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return integerCell;
    default:
      return (value) => toCell(value, type);
  }
}
