/**
 * MariaDB with TLS, as far as a client can tell, in front of the local
 * server (which has none): the proxy advertises CLIENT_SSL in the greeting,
 * terminates TLS with the test certificate, and relays the login to the real
 * server in plain text, renumbering packets (the server never saw the
 * SSLRequest). After the login it is a plain pipe.
 */
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { TestCerts, TlsProxy } from '../../../../support/net';

const CLIENT_SSL = 0x0800;

interface Packet {
  seq: number;
  payload: Buffer;
}

class PacketReader {
  #buffer = Buffer.alloc(0);
  push(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
  }
  next(): Packet | null {
    if (this.#buffer.length < 4) return null;
    const length = this.#buffer.readUIntLE(0, 3);
    if (this.#buffer.length < 4 + length) return null;
    const packet = { seq: this.#buffer[3]!, payload: this.#buffer.subarray(4, 4 + length) };
    this.#buffer = this.#buffer.subarray(4 + length);
    return packet;
  }
  rest(): Buffer {
    const rest = this.#buffer;
    this.#buffer = Buffer.alloc(0);
    return rest;
  }
}

function frame(seq: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = seq & 0xff;
  return Buffer.concat([header, payload]);
}

export async function mysqlTlsProxy(certs: TestCerts, upstream: { host: string; port: number }): Promise<TlsProxy> {
  const sockets = new Set<net.Socket>();
  const context = tls.createSecureContext({ key: certs.key, cert: certs.cert });
  let tlsSessions = 0;
  let plainSessions = 0;

  const server = net.createServer((client) => {
    const upstreamSocket = net.connect(upstream.port, upstream.host);
    sockets.add(client).add(upstreamSocket);
    const end = () => {
      client.destroy();
      upstreamSocket.destroy();
    };
    client.on('error', end).on('close', end);
    upstreamSocket.on('error', end).on('close', end);

    const fromServer = new PacketReader();
    const fromClient = new PacketReader();
    let front: net.Socket | tls.TLSSocket = client;
    let state: 'greeting' | 'first' | 'login' | 'auth' | 'pipe' = 'greeting';

    const isPiping = () => state === 'pipe';
    const toPipe = () => {
      state = 'pipe';
      front.write(fromServer.rest());
      upstreamSocket.write(fromClient.rest());
      upstreamSocket.removeAllListeners('data');
      front.removeAllListeners('data');
      upstreamSocket.pipe(front);
      front.pipe(upstreamSocket);
    };

    const onServer = (chunk: Buffer) => {
      fromServer.push(chunk);
      for (let p = fromServer.next(); p; p = isPiping() ? null : fromServer.next()) {
        if (state === 'greeting') {
          const payload = Buffer.from(p.payload);
          const caps = payload.indexOf(0, 1) + 1 + 4 + 8 + 1;
          payload.writeUInt16LE(payload.readUInt16LE(caps) | CLIENT_SSL, caps);
          front.write(frame(p.seq, payload));
          state = 'first';
        } else {
          // The server numbers its login replies one lower than the client expects (it never saw the SSLRequest).
          front.write(frame(p.seq + 1, p.payload));
          const first = p.payload[0];
          if (state === 'auth' && (first === 0x00 || first === 0xff)) toPipe();
        }
      }
    };

    const onClient = (chunk: Buffer) => {
      fromClient.push(chunk);
      for (let p = fromClient.next(); p; p = isPiping() ? null : fromClient.next()) {
        if (state === 'first') {
          const wantsTls = p.payload.length === 32 && (p.payload.readUInt32LE(0) & CLIENT_SSL) !== 0;
          if (!wantsTls) {
            plainSessions++;
            upstreamSocket.write(frame(p.seq, p.payload));
            toPipe();
            return;
          }
          state = 'login';
          client.removeAllListeners('data');
          // The client starts its TLS handshake right after the SSLRequest, often in the same chunk:
          // hand TLS a stream that begins with those bytes.
          const raw = new Duplex({
            read() {},
            write(data, _encoding, done) {
              client.write(data, done);
            },
          });
          const early = fromClient.rest();
          if (early.length) raw.push(early);
          client.on('data', (data) => raw.push(data));
          client.on('end', () => raw.push(null));
          const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
          secure.on('secure', () => tlsSessions++);
          secure.on('error', end);
          secure.on('data', onClient);
          front = secure;
          return;
        }
        const payload = Buffer.from(p.payload);
        if (state === 'login') {
          payload.writeUInt32LE((payload.readUInt32LE(0) & ~CLIENT_SSL) >>> 0, 0);
          state = 'auth';
        }
        upstreamSocket.write(frame(p.seq - 1, payload));
      }
    };

    upstreamSocket.on('data', onServer);
    client.on('data', onClient);
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
