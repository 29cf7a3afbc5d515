import dns from 'node:dns';
import { Socket, type LookupFunction, type TcpSocketConnectOpts } from 'node:net';

/** Resolves a host name to its addresses. Injectable so tests can point it at a DNS server that never answers. */
export type HostLookup = (hostname: string, family: number) => Promise<dns.LookupAddress[]>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), as every driver uses by default. */
export const systemLookup: HostLookup = (hostname, family) => dns.promises.lookup(hostname, { all: true, family: family === 4 || family === 6 ? family : 0 });

/** The code of the error a lookup that ran out of time fails with (connection-errors.ts names it). */
export const DNS_TIMEOUT = 'EDNSTIMEOUT';

/**
 * A net.connect `lookup` that gives up after `budgetMs`, so a DNS server that never answers costs
 * that much and is reported as a DNS failure, not as the database host not answering. (getaddrinfo
 * itself cannot be stopped: the system lookup goes on in the background until the resolver's own
 * timeout, but nothing waits for it.)
 */
export function boundedLookup(lookup: HostLookup, budgetMs: number): LookupFunction {
  return (hostname, options, callback) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      const error = Object.assign(new Error(`The DNS lookup of "${hostname}" got no answer within ${budgetMs} ms.`), { code: DNS_TIMEOUT, hostname });
      callback(error, '', 0);
    }, budgetMs);
    timer.unref();
    lookup(hostname, familyNumber(options.family)).then(
      (addresses) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const first = addresses[0];
        if (!first) {
          const error = Object.assign(new Error(`"${hostname}" has no address.`), { code: 'ENOTFOUND', hostname });
          callback(error, '', 0);
        } else if (options.all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        callback(error, '', 0);
      },
    );
  };
}

/**
 * A socket whose `connect(port, host)` resolves the host with `lookup`: the pg driver takes a socket
 * factory and calls connect(port, host) on it itself, with no lookup option of its own.
 */
export function socketWithLookup(lookup: LookupFunction): Socket {
  const socket = new Socket();
  const connect = socket.connect.bind(socket) as (options: TcpSocketConnectOpts) => Socket;
  socket.connect = ((port: number, host: string) => connect({ port, host, lookup })) as typeof socket.connect;
  return socket;
}

function familyNumber(family: number | 'IPv4' | 'IPv6' | undefined): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family ?? 0;
}
