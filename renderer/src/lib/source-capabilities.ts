import type { Source, SourceTypeInfo } from '../../../engine/contract/index';
import { formatCount, formatDuration } from './chat-format';

export interface LimitRow {
  key: string;
  label: string;
  value: string;
  /** The engine's default, when this source differs from it. */
  defaultValue: string | null;
}

const bytes = (n: number): string => (n >= 1024 * 1024 * 1024 ? `${Math.round(n / 1024 ** 3)} GB` : `${Math.round(n / (1024 * 1024))} MB`);

/** The limits every run on this source gets, next to the engine's defaults for its kind. */
export function limitRows(source: Source, info: SourceTypeInfo): LimitRow[] {
  const rows: Array<[string, string, number, number, (n: number) => string]> = [
    ['rowLimit', 'Row limit', source.settings.rowLimit, info.defaults.rowLimit, (n) => `${formatCount(n)} rows`],
    ['statementTimeoutMs', 'Timeout', source.settings.statementTimeoutMs, info.defaults.statementTimeoutMs, formatDuration],
    ['maxResultBytes', 'Result size', source.settings.maxResultBytes, info.defaults.maxResultBytes, bytes],
  ];
  return rows.map(([key, label, value, fallback, format]) => ({ key, label, value: format(value), defaultValue: value === fallback ? null : format(fallback) }));
}

/** What the source can do, as the engine words it; a capability the source itself lacks is unsupported whatever its kind says. */
export function capabilityRows(source: Source, info: SourceTypeInfo): SourceTypeInfo['notes'] {
  return info.notes.map((n) => ({ ...n, supported: n.supported && source.capabilities[n.capability] }));
}

/** The hint shown on a control for an action the source cannot do, or null when it can. */
export function unsupportedHint(info: SourceTypeInfo | undefined, capability: SourceTypeInfo['notes'][number]['capability']): string | null {
  const note = info?.notes.find((n) => n.capability === capability);
  return note && !note.supported ? note.hint : null;
}

export interface RunFact {
  key: 'rowLimit' | 'timeout' | 'explain' | 'cancel';
  text: string;
  /** The full sentence on hover: what the capability does, or the engine's reason it is missing. */
  title: string;
}

/** What a query card says before approval: the limits this source's runs get and whether it can estimate and stop a query. */
export function runFacts(source: Source, info: SourceTypeInfo): RunFact[] {
  const capabilities = capabilityRows(source, info);
  const capability = (key: 'explain' | 'cancel', words: string): RunFact => {
    const note = capabilities.find((n) => n.capability === key);
    const supported = note?.supported ?? false;
    const why = note?.hint ?? `Not available on this source: ${note?.label ?? key}.`;
    return { key, text: `${words}: ${supported ? 'yes' : 'no'}`, title: supported ? (note?.label ?? '') : why };
  };
  return [
    { key: 'rowLimit', text: `Row limit ${formatCount(source.settings.rowLimit)}`, title: `A run returns at most ${formatCount(source.settings.rowLimit)} rows; change it in the source's settings.` },
    { key: 'timeout', text: `timeout ${formatDuration(source.settings.statementTimeoutMs)}`, title: `A run stops after ${formatDuration(source.settings.statementTimeoutMs)}; change it in the source's settings.` },
    capability('explain', 'cost estimate'),
    capability('cancel', 'can stop'),
  ];
}
