/**
 * A TLS-terminating proxy in front of the local PostgreSQL (whose own ssl is
 * off), so the connector's TLS modes can be tested for real.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { TestCerts, TlsProxy } from '../../../../support/net';

function pipeBoth(a: net.Socket | tls.TLSSocket, b: net.Socket, sockets: Set<net.Socket>): void {
  sockets.add(b);
  a.pipe(b);
  b.pipe(a);
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', end).on('close', end);
  b.on('error', end).on('close', end);
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * PostgreSQL with `ssl = on`, as far as a client can tell: answers an
 * SSLRequest with 'S', terminates TLS with the test certificate, and pipes
 * the decrypted stream to the real server. Plain clients are passed through.
 */
export async function pgTlsProxy(certs: TestCerts, upstream: { host: string; port: number }): Promise<TlsProxy> {
  const sockets = new Set<net.Socket>();
  const context = tls.createSecureContext({ key: certs.key, cert: certs.cert });
  let tlsSessions = 0;
  let plainSessions = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    const onData = (chunk: Buffer) => {
      const code = chunk.length >= 8 ? chunk.readInt32BE(4) : 0;
      if (code === GSSENC_REQUEST) {
        socket.write('N');
        if (chunk.length > 8) onData(chunk.subarray(8));
        else socket.once('data', onData);
        return;
      }
      const server = net.connect(upstream.port, upstream.host);
      if (code === SSL_REQUEST) {
        socket.write('S');
        const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
        secure.on('secure', () => tlsSessions++);
        secure.on('error', () => server.destroy());
        pipeBoth(secure, server, sockets);
      } else {
        plainSessions++;
        server.write(chunk);
        pipeBoth(socket, server, sockets);
      }
    };
    socket.once('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get tlsSessions() {
      return tlsSessions;
    },
    get plainSessions() {
      return plainSessions;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
