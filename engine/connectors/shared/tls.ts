import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { TlsSettings } from '../../contract/index';
import { ConnectorError } from '../../errors';

/**
 * How a driver should open TLS for a mode: `null` means plain TCP. `prefer`
 * starts with TLS and the connector falls back to plain only when the server
 * says it has no TLS (never after a failed certificate check).
 */
export interface TlsPlan {
  mode: TlsSettings['mode'];
  options: ConnectionOptions | null;
  fallbackToPlain: boolean;
}

export function tlsPlan(tls: TlsSettings | undefined): TlsPlan {
  const mode = tls?.mode ?? 'prefer';
  switch (mode) {
    case 'off':
      return { mode, options: null, fallbackToPlain: false };
    case 'prefer':
      return { mode, options: { rejectUnauthorized: false }, fallbackToPlain: true };
    case 'require':
      // Encrypts but trusts any certificate, like libpq's sslmode=require.
      return { mode, options: { rejectUnauthorized: false }, fallbackToPlain: false };
    case 'verify':
      return { mode, options: { ca: readCa(tls?.caFile), rejectUnauthorized: true }, fallbackToPlain: false };
  }
}

function readCa(caFile: string | undefined): string {
  if (!caFile) throw new ConnectorError('TLS mode "verify" needs a CA file.', { kind: 'TLS_INVALID' });
  try {
    return fs.readFileSync(caFile, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new ConnectorError(`The CA file ${caFile} could not be read (${code}). Choose a readable PEM file.`, { kind: 'FILE_UNREADABLE' });
  }
}
