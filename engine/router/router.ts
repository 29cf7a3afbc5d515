import type { ApiError, Result } from '../contract/errors';
import {
  contract,
  isChannelName,
  type ChannelName,
  type ChannelOutput,
  type ChannelParsedInput,
  type HostKind,
} from '../contract/index';
import { actingAs } from '../auth/acting';
import { mayUse, permissionOf, type AccessControl, type Caller } from '../auth/permissions';
import { describeZodError, toApiError } from '../errors';
import type { Logger } from '../log/logger';

export interface CallContext {
  host: HostKind;
  /** Set by hosts that can tell (Electron: the sender frame's URL). */
  senderUrl?: string;
}

export type Handler<C extends ChannelName> = (
  input: ChannelParsedInput<C>,
  ctx: CallContext,
) => Promise<ChannelOutput<C>> | ChannelOutput<C>;

/** Every channel must have a handler: a new channel that nobody implements fails to compile. */
export type Handlers = { [C in ChannelName]: Handler<C> };

export interface RouterOptions {
  handlers: Handlers;
  /** True while the profile is locked; channels that are not `open` then answer LOCKED. */
  isLocked: () => boolean;
  /**
   * Who is unlocked, and what a viewer may reach: the router enforces the
   * permission matrix (engine/auth/permissions.ts) with it. Without it every
   * caller is treated as the owner (unit tests of the router's other duties).
   */
  access?: AccessControl;
  /** Called after every successful call of an `unlocked` channel (idle auto-lock uses it). */
  onActivity?: (channel: ChannelName) => void;
  logger?: Logger;
}

export interface Router {
  dispatch(channel: unknown, payload: unknown, ctx: CallContext): Promise<Result<unknown>>;
}

const fail = (error: ApiError): Result<never> => ({ ok: false, error });

const forbidden = (channel: string, reason: 'ROLE' | 'NOT_SHARED' | 'NOT_YOURS', message: string): Result<never> =>
  fail({ code: 'FORBIDDEN', message, details: { reason, channel } });

/**
 * Channel -> validated handler. The same router sits behind Electron IPC, the
 * browser host's WebSocket and the CLI, so validation and the lock gate are
 * enforced once, whatever the host.
 */
export function createRouter(options: RouterOptions): Router {
  const { handlers, isLocked, logger, access } = options;
  const OWNER: Caller = { profileId: '', role: 'owner' };

  async function dispatch(channel: unknown, payload: unknown, ctx: CallContext): Promise<Result<unknown>> {
    if (!isChannelName(channel)) {
      return fail({ code: 'UNKNOWN_CHANNEL', message: 'Unknown channel.', details: { channel: String(channel).slice(0, 80) } });
    }
    const def = contract[channel];
    const permission = permissionOf(channel);
    let caller: Caller | null = null;
    if (def.access !== 'open') {
      caller = access ? access.caller() : OWNER;
      if (isLocked() || !caller) return fail({ code: 'LOCKED', message: 'The profile is locked. Unlock it with your PIN or passphrase.' });
      if (!permission.roles.includes(caller.role)) {
        return forbidden(channel, 'ROLE', `Only the owner of this PolyStoreIQ profile can do this (${channel}); ask them if you need it.`);
      }
    }
    const scope = caller?.role === 'viewer' && access ? access.scopeOf(caller.profileId) : null;
    const parsed = def.input.safeParse(payload);
    if (!parsed.success) {
      return fail({
        code: 'VALIDATION',
        message: describeZodError(parsed.error),
        details: {
          channel,
          issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
        },
      });
    }
    if (scope && permission.confine && !permission.confine(parsed.data, scope)) {
      return forbidden(channel, 'NOT_SHARED', 'That source or conversation is not shared with this profile. Ask the owner to share the source with you.');
    }
    if (caller && access && permission.actsOnRun) {
      const boundTo = access.runProfile(permission.actsOnRun(parsed.data));
      if (boundTo !== undefined && !mayUse(caller, boundTo)) {
        return forbidden(channel, 'NOT_YOURS', 'This query was run by another profile; only that profile can cancel it.');
      }
    }
    try {
      const handler = handlers[channel] as (input: unknown, ctx: CallContext) => unknown;
      // The handler, and all it awaits, knows who called: approvals are issued to that profile, and events of its own call reach it.
      const value = await (caller && access ? actingAs(caller, () => handler(parsed.data, ctx)) : handler(parsed.data, ctx));
      // Parsing the output strips fields the contract does not declare, so an
      // internal field (a secret reference, a password) cannot leak by accident.
      const out = def.output.safeParse(value);
      if (!out.success) {
        logger?.error('handler returned a value that does not match its contract', {
          channel,
          issues: out.error.issues.slice(0, 5),
        });
        return fail({ code: 'INTERNAL', message: 'The engine produced an invalid response. Details were written to the log.' });
      }
      if (def.access !== 'open') options.onActivity?.(channel);
      if (caller && access && permission.claims) access.claimSession(permission.claims(out.data), caller.profileId);
      return { ok: true, value: scope && permission.narrow ? permission.narrow(out.data, scope) : out.data };
    } catch (error) {
      return fail(toApiError(error, (e) => logger?.error('unexpected error in handler', { channel, error: e })));
    }
  }

  return { dispatch };
}
