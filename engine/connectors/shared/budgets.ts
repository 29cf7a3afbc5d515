import type net from 'node:net';
import { boundedLookup, systemLookup, type HostLookup } from './lookup';

/**
 * How long each step of a user's action may wait on a database, in one table. Every wait on a
 * socket has one of these deadlines, enforced on the client (the socket is destroyed when it
 * passes), whatever the server does: a server that went silent, a connection reset or frozen
 * mid-result, a host or DNS server that never answers all end in a typed error.
 *
 * An action's whole budget is the sum of its steps: connect (the source's connectTimeoutMs, which
 * includes dnsMs), then each statement (the source's statement timeout + serverCancelGraceMs +
 * socketGraceMs), then resetMs to hand the connection back. EXPLAIN and validation run under
 * PREVIEW_BUDGET (preview-budget.ts), the connection test under testMs, metadata under the
 * source's statement timeout; all are cancellable through the call's AbortSignal.
 */
export interface ConnectionBudgets {
  /** Resolving the host name; past it the connection fails as "the DNS server did not answer". Capped by the connect timeout. */
  dnsMs: number;
  /** After a statement's timeout, how long the client waits for the store's own timer before asking the server to cancel. */
  serverCancelGraceMs: number;
  /** After asking for a cancel (or a user's cancel), how long before the client destroys the socket itself. */
  socketGraceMs: number;
  /**
   * The cancel request over a second connection (connect and answer). No longer than socketGraceMs:
   * once the socket is cut, waiting on a cancel that cannot reach the server only delays the error.
   */
  cancelMs: number;
  /** Rolling back and resetting a connection after a use; past it the connection is destroyed, never pooled. */
  resetMs: number;
  /** The statements of a connection test (privileges, version), after connecting. */
  testMs: number;
}

export const DEFAULT_BUDGETS: ConnectionBudgets = {
  dnsMs: 4_000,
  serverCancelGraceMs: 1_000,
  socketGraceMs: 2_000,
  cancelMs: 2_000,
  resetMs: 3_000,
  testMs: 10_000,
};

export function budgetsWith(overrides: Partial<ConnectionBudgets> = {}): ConnectionBudgets {
  return { ...DEFAULT_BUDGETS, ...overrides };
}

/** The longest a statement with this timeout can hold a connection before the client cuts it. */
export function statementDeadlineMs(timeoutMs: number, budgets: ConnectionBudgets): number {
  return timeoutMs + budgets.serverCancelGraceMs + budgets.socketGraceMs;
}

/** What a connector may be created with: tests shrink the budgets and point name lookups at a fault. */
export interface ConnectorOptions {
  budgets?: Partial<ConnectionBudgets>;
  lookup?: HostLookup;
}

/** How a connector's sockets resolve names and how long each step may wait. */
export class ConnectorNet {
  readonly budgets: ConnectionBudgets;
  readonly #lookup: HostLookup;

  constructor(options: ConnectorOptions = {}) {
    this.budgets = budgetsWith(options.budgets);
    this.#lookup = options.lookup ?? systemLookup;
  }

  /**
   * The `lookup` for net.connect: bounded by dnsMs, and by most of the connect timeout, so a silent
   * DNS server is reported as such before the driver's own connect timer says the host did not answer.
   */
  lookupFor(connectTimeoutMs: number): net.LookupFunction {
    return boundedLookup(this.#lookup, Math.min(this.budgets.dnsMs, Math.floor(connectTimeoutMs * DNS_SHARE_OF_CONNECT)));
  }
}

/** The part of the connect timeout a name lookup may use (the rest is TCP, TLS and login). */
const DNS_SHARE_OF_CONNECT = 0.8;
