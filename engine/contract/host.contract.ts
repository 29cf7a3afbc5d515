import { z } from 'zod';
import { channel } from './channel';

/** What an export is saved as; the file's bytes are base64 for an image, text otherwise. */
export const ExportFormat = z.enum(['csv', 'tsv', 'png', 'svg', 'jsonl']);
export type ExportFormat = z.infer<typeof ExportFormat>;

/** The largest export a save dialog accepts over IPC (a CSV of 100,000 wide rows fits). */
export const MAX_EXPORT_CHARS = 96 * 1024 * 1024;

/** A file name the dialog suggests: no folder, no control characters, no leading dot. */
export const ExportFileName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\\:*?"<>|.][^/\\:*?"<>|]*$/, 'must be a plain file name')
  .refine((name) => ![...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'must not hold control characters');

export const SaveFileInput = z.strictObject({
  fileName: ExportFileName,
  format: ExportFormat,
  /** The file's content: base64 for png, UTF-8 text for the others. */
  content: z.string().max(MAX_EXPORT_CHARS),
});
export type SaveFileInput = z.infer<typeof SaveFileInput>;

/**
 * Things only a host can do (a native file dialog). The engine answers
 * UNSUPPORTED; the Electron host supplies the real handler, so the browser
 * host and the CLI fall back to typed paths (and the browser to a download).
 */
export const hostChannels = {
  'host.pickFiles': channel({
    summary: 'Opens the native file dialog (Electron) and returns the chosen paths; empty when cancelled.',
    input: z.strictObject({ title: z.string().max(200).optional() }).optional(),
    output: z.object({ paths: z.array(z.string()) }),
  }),
  'host.saveFile': channel({
    summary: 'Saves an export (CSV, TSV, PNG, SVG, JSON lines) where the user picks in the native save dialog (Electron); path null when cancelled.',
    input: SaveFileInput,
    output: z.object({ path: z.string().nullable() }),
  }),
};
