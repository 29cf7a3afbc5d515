import fs from 'node:fs';
import type { ExportFormat, SaveFileInput } from '../contract/index';
import { ConflictError, ForbiddenError, ValidationError } from '../errors';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Exports may hold the rows of a private database: readable by the user only. */
const EXPORT_FILE_MODE = 0o600;

/** The file's bytes, checked to be what the format says (a PNG export is a PNG). */
function exportBytes(format: ExportFormat, content: string): Buffer {
  if (format !== 'png') return Buffer.from(content, 'utf8');
  const bytes = BASE64.test(content) ? Buffer.from(content, 'base64') : Buffer.alloc(0);
  if (!bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) throw new ValidationError('The image to save is not a PNG.');
  return bytes;
}

/**
 * Writes an export where the save dialog pointed. It never overwrites a file
 * silently: only the exact path the dialog returned (whose overwrite the
 * dialog confirmed with the user) may replace a file; a path that gained its
 * extension here is created new or refused with CONFLICT.
 */
export function writeExport(chosenPath: string, input: SaveFileInput, options: { overwriteConfirmed: boolean }): string {
  const extension = `.${input.format}`;
  const named = chosenPath.toLowerCase().endsWith(extension);
  const target = named ? chosenPath : chosenPath + extension;
  const mayReplace = named && options.overwriteConfirmed;
  const bytes = exportBytes(input.format, input.content);
  try {
    fs.writeFileSync(target, bytes, { flag: mayReplace ? 'w' : 'wx', mode: EXPORT_FILE_MODE });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ConflictError(`A file named ${target} already exists: save it under another name.`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new ForbiddenError('EXPORT_NOT_WRITABLE', `PolyStoreIQ may not write ${target}: choose another folder.`);
    throw error;
  }
  return target;
}
