import type { ExportFormat, HostKind } from '../../../engine/contract/index';
import type { PolystoreApi } from './api';
import { csvFileName } from './chat-csv';
import { downloadBlob } from './download';

/** Where an export went, for the line that tells the user. */
export type SaveOutcome =
  | { kind: 'saved'; path: string }
  | { kind: 'downloaded'; fileName: string }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string };

export interface ExportFile {
  fileName: string;
  format: ExportFormat;
  data: Blob;
}

/** "Revenue per month" → "revenue-per-month-2026-12-06.svg". */
export function exportFileName(title: string, format: ExportFormat, now: Date = new Date()): string {
  return csvFileName(title, now).replace(/\.csv$/, `.${format}`);
}

function base64(bytes: Uint8Array): string {
  const CHUNK = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** What the save dialog receives: an image as base64, text as it is. */
export async function exportContent(file: ExportFile): Promise<string> {
  return file.format === 'png' ? base64(new Uint8Array(await file.data.arrayBuffer())) : file.data.text();
}

/**
 * Saves an export the way the host can: Electron's native save dialog (which
 * asks before replacing a file), else a browser download (which never
 * replaces one: the browser numbers the new file).
 */
export async function saveExport(api: PolystoreApi | null, host: HostKind | null, file: ExportFile): Promise<SaveOutcome> {
  if (api && host === 'electron') {
    const r = await api.host.saveFile({ fileName: file.fileName, format: file.format, content: await exportContent(file) });
    if (r.ok) return r.value.path ? { kind: 'saved', path: r.value.path } : { kind: 'cancelled' };
    if (r.error.code !== 'UNSUPPORTED') return { kind: 'failed', message: r.error.message };
  }
  downloadBlob(file.data, file.fileName);
  return { kind: 'downloaded', fileName: file.fileName };
}

/** The line shown after an export: where the file went, or why it did not. */
export function describeSave(outcome: SaveOutcome): string {
  switch (outcome.kind) {
    case 'saved':
      return `Saved to ${outcome.path}`;
    case 'downloaded':
      return `Downloaded ${outcome.fileName}: your browser's downloads list shows where.`;
    case 'cancelled':
      return 'Not saved: the dialog was cancelled.';
    case 'failed':
      return `Not saved: ${outcome.message}`;
  }
}
