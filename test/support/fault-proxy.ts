/**
 * A fault-injecting TCP proxy for tests: sits between a connector and a real server
 * (PostgreSQL, MariaDB, the Mongo wire server) and misbehaves on request, the way
 * networks and servers do in the field. Plus a DNS server that never answers.
 *
 * The mode applies to new connections and, from the moment it is set, to the open
 * ones too: a pooled connection opened in `pass` mode freezes mid-result once the
 * mode becomes `freeze`. Byte counts (`afterBytes`) are server-to-client bytes seen
 * on that connection since the mode was set.
 */
import dgram from 'node:dgram';
import net from 'node:net';

export type FaultMode =
  /** Forward everything both ways. */
  | { kind: 'pass' }
  /** Accept, never forward anything (new connections never reach the server; open ones go silent). */
  | { kind: 'hang' }
  /** Forward until `afterBytes` of the server's bytes, then forward nothing more, keeping both sockets open. */
  | { kind: 'freeze'; afterBytes: number }
  /** Forward until `afterBytes` of the server's bytes, then reset the client's socket (TCP RST). */
  | { kind: 'reset'; afterBytes: number }
  /** The server's bytes reach the client one at a time, `bytesPerSecond` (default 1) a second. */
  | { kind: 'drip'; bytesPerSecond?: number };

export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections still open (client side). */
  readonly open: number;
  readonly mode: FaultMode;
  setMode(mode: FaultMode): void;
  close(): Promise<void>;
}

interface Pipe {
  client: net.Socket;
  server: net.Socket | null;
  /** Server-to-client bytes forwarded since the mode was set. */
  sinceMode: number;
  /** Server bytes held back (drip, or waiting to be forwarded after a switch). */
  held: Buffer[];
  drip: NodeJS.Timeout | null;
  ended: boolean;
}

export async function startFaultProxy(target: { host: string; port: number }, initial: FaultMode = { kind: 'pass' }): Promise<FaultProxy> {
  let mode: FaultMode = initial;
  let accepted = 0;
  const pipes = new Set<Pipe>();

  const end = (pipe: Pipe, reset = false) => {
    if (pipe.ended) return;
    pipe.ended = true;
    if (pipe.drip) clearInterval(pipe.drip);
    pipes.delete(pipe);
    if (reset && typeof pipe.client.resetAndDestroy === 'function') pipe.client.resetAndDestroy();
    else pipe.client.destroy();
    pipe.server?.destroy();
  };

  /** Sends server bytes to the client as the mode allows. */
  const flush = (pipe: Pipe) => {
    if (pipe.ended) return;
    const current = mode;
    switch (current.kind) {
      case 'pass':
        for (const chunk of pipe.held.splice(0)) {
          pipe.sinceMode += chunk.length;
          pipe.client.write(chunk);
        }
        return;
      case 'hang':
        return;
      case 'freeze':
      case 'reset': {
        while (pipe.held.length > 0 && pipe.sinceMode < current.afterBytes) {
          const chunk = pipe.held.shift()!;
          const room = current.afterBytes - pipe.sinceMode;
          const now = chunk.subarray(0, room);
          if (chunk.length > room) pipe.held.unshift(chunk.subarray(room));
          pipe.sinceMode += now.length;
          pipe.client.write(now);
        }
        if (pipe.sinceMode >= current.afterBytes && current.kind === 'reset') {
          // Let what was written leave before the reset, as a server that crashed mid-result would.
          setImmediate(() => end(pipe, true));
        }
        return;
      }
      case 'drip':
        if (!pipe.drip) {
          pipe.drip = setInterval(() => {
            if (mode.kind !== 'drip') return;
            const chunk = pipe.held[0];
            if (!chunk) return;
            pipe.client.write(chunk.subarray(0, 1));
            pipe.sinceMode += 1;
            if (chunk.length > 1) pipe.held[0] = chunk.subarray(1);
            else pipe.held.shift();
          }, 1000 / (current.bytesPerSecond ?? 1));
        }
        return;
    }
  };

  const connectUpstream = (pipe: Pipe) => {
    const server = net.connect(target.port, target.host);
    pipe.server = server;
    server.on('error', () => end(pipe));
    server.on('close', () => end(pipe));
    server.on('data', (chunk: Buffer) => {
      pipe.held.push(chunk);
      flush(pipe);
    });
    pipe.client.on('data', (chunk: Buffer) => {
      if (mode.kind !== 'hang') server.write(chunk);
    });
  };

  const server = net.createServer((client) => {
    accepted++;
    const pipe: Pipe = { client, server: null, sinceMode: 0, held: [], drip: null, ended: false };
    pipes.add(pipe);
    client.on('error', () => end(pipe));
    client.on('close', () => end(pipe));
    // A connection accepted while hanging never reaches the server: the client waits on silence.
    if (mode.kind !== 'hang') connectUpstream(pipe);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pipes.size;
    },
    get mode() {
      return mode;
    },
    setMode(next) {
      mode = next;
      for (const pipe of pipes) {
        pipe.sinceMode = 0;
        if (pipe.drip) {
          clearInterval(pipe.drip);
          pipe.drip = null;
        }
        flush(pipe);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pipe of [...pipes]) end(pipe);
        server.close(() => resolve());
      }),
  };
}

export interface BlackholeDns {
  /** `127.0.0.1:port`, for dns.Resolver#setServers. */
  readonly server: string;
  /** Queries received (and never answered). */
  readonly queries: number;
  close(): Promise<void>;
}

/** A DNS server on 127.0.0.1 that reads every query and never answers, like a resolver behind a dead VPN. */
export async function startBlackholeDns(): Promise<BlackholeDns> {
  const socket = dgram.createSocket('udp4');
  let queries = 0;
  socket.on('message', () => queries++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    server: `127.0.0.1:${port}`,
    get queries() {
      return queries;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
