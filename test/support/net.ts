/**
 * Loopback network fixtures for tests: a port where nothing listens, a server
 * that accepts and never answers (connect timeouts without sending traffic
 * anywhere but 127.0.0.1), and test certificates made with openssl.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './tmp';

/** A port on 127.0.0.1 where nothing listens (ECONNREFUSED). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Listening {
  port: number;
  close(): Promise<void>;
}

/** Accepts connections and says nothing, like a firewall that swallows packets after the handshake. */
export async function silentServer(): Promise<Listening> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface TestCerts {
  /** CA that signed the server certificate (for `verify`). */
  caFile: string;
  /** A CA that signed nothing here: verification against it must fail. */
  otherCaFile: string;
  key: string;
  cert: string;
  remove(): void;
}

/** A CA and a server certificate for DNS:localhost only (so 127.0.0.1 fails the host name check). */
export function makeCerts(): TestCerts {
  const dir = tempDir('polystore-certs-');
  const p = (name: string) => path.join(dir.path, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=PolyStoreIQ Test CA');
  openssl('req', '-x509', ...ec, '-keyout', p('other.key'), '-out', p('other.pem'), '-days', '2', '-subj', '/CN=Unrelated CA');
  openssl('req', ...ec, '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=localhost');
  fs.writeFileSync(p('ext.cnf'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.pem'), '-days', '2', '-extfile', p('ext.cnf'));
  return {
    caFile: p('ca.pem'),
    otherCaFile: p('other.pem'),
    key: fs.readFileSync(p('server.key'), 'utf8'),
    cert: fs.readFileSync(p('server.pem'), 'utf8'),
    remove: () => dir.remove(),
  };
}

/** A TLS-terminating proxy in front of a database whose own TLS is off. */
export interface TlsProxy extends Listening {
  /** TLS handshakes completed so far. */
  readonly tlsSessions: number;
  /** Connections that stayed plain. */
  readonly plainSessions: number;
}
