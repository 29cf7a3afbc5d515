/**
 * Self-signed certificates for TLS tests, made with the openssl command-line
 * tool into a folder the caller owns (and removes).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Certificate {
  keyFile: string;
  certFile: string;
  key: string;
  cert: string;
}

/** A key and a self-signed certificate for 127.0.0.1 and localhost, valid for a day. */
export function selfSignedCertificate(dir: string, name = 'server'): Certificate {
  const keyFile = path.join(dir, `${name}.key.pem`);
  const certFile = path.join(dir, `${name}.cert.pem`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    { stdio: 'pipe' },
  );
  return { keyFile, certFile, key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
}
