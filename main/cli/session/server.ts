// An unlock session: one engine, opened and unlocked once for one profile,
// serving the CLI's router calls over a Unix socket until it is idle too long,
// is ended (`polystore lock`), its profile locks or changes its secret (through
// the session, or in the app: another process on the same profile), or its
// profile folder or record disappears. Runs in the detached process that
// serve-main.ts starts; the engine is loaded only here.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ApiError, Result } from '../../../engine/contract/errors';
import type { LockReason, UnlockStamp } from '../../../engine/auth/profile-lock';
import type { HostEngine } from '../../../engine/engine';
import type { PoolEntries } from '../../shared/pool-entries';
import { chooseSocketPath, makePrivateDir, readRecord, recordFile, removeSessionFiles, sessionDir, writeRecord, type SessionRecord } from './files';
import { encodeResponse, failure, lineSplitter, MAX_REQUEST_BYTES, parseRequest, type SessionInfo, type SessionRequest } from './protocol';

export interface SessionConfig {
  dataDir: string;
  /** The profile name asked for, or null for the default (the owner). */
  requested: string | null;
  idleTimeoutMs: number;
  poolEntries: PoolEntries | null;
  /** How often the session checks that its profile is still unlocked as it was, and its folder and record are still there. */
  watchIntervalMs?: number;
}

const WATCH_INTERVAL_MS = 2_000;

/**
 * Channels a session does not serve: unlocking again would make it another
 * profile's session under this one's name. (A session is never locked while it
 * serves, so the CLI has no reason to send one.)
 */
const NOT_THROUGH_A_SESSION = new Set(['auth.unlock']);
/** Channels after whose success the session ends: the profile was locked, or its secret changed. */
const ENDS_THE_SESSION = new Set(['auth.lock', 'auth.changeSecret']);

type EndReason = 'ended' | 'idle' | 'locked' | 'locked-in-app' | 'secret-changed' | 'folder-gone' | 'replaced' | 'signal';

/** The audit log's lock reason for each way a session ends (it records `auth.locked` with it). */
const LOCK_REASON: Record<EndReason, LockReason | null> = {
  ended: 'manual',
  idle: 'idle',
  signal: 'manual',
  replaced: 'manual',
  // Already locked, or nothing left to write to.
  locked: null,
  'locked-in-app': 'manual',
  'secret-changed': 'secret-changed',
  'folder-gone': null,
};

export class SessionStartError extends Error {
  readonly error: ApiError;
  constructor(error: ApiError) {
    super(error.message);
    this.error = error;
  }
}

export interface RunningSession {
  info: SessionInfo;
  /** Resolves once the session has ended and closed its engine. */
  ended: Promise<EndReason>;
  end(reason: EndReason): Promise<EndReason>;
}

/**
 * Why the unlock this session holds no longer stands, or null while it does. Another process on the
 * profile (the app) may have changed its PIN or passphrase, removed or locked it: the session would
 * otherwise go on serving with the old unlock.
 */
function staleUnlock(unlocked: UnlockStamp, now: UnlockStamp | null, profileName: string): { reason: EndReason; error: ApiError } | null {
  const ended = (reason: EndReason, what: string, then: string) => ({
    reason,
    error: {
      code: 'LOCKED' as const,
      message: `The unlock session of "${profileName}" has ended and answered nothing: ${what} since \`polystore unlock\`. ${then}`,
      details: { reason: 'UNLOCK_SESSION_ENDED', ended: reason },
    },
  });
  const again = 'Run `polystore unlock` again, or pass the PIN or passphrase with --pin-stdin or POLYSTORE_PIN.';
  if (!now) return ended('locked', 'the profile was locked or removed', again);
  if (now.profileId !== unlocked.profileId || now.verifier !== unlocked.verifier) {
    return ended('secret-changed', 'its PIN or passphrase was changed', 'Run `polystore unlock` again with the new one, or pass it with --pin-stdin or POLYSTORE_PIN.');
  }
  if (now.lastAppLock !== unlocked.lastAppLock) return ended('locked-in-app', 'the profile was locked in the app', again);
  return null;
}

async function openAndUnlock(config: SessionConfig, secret: string): Promise<{ engine: HostEngine; profileName: string; role: string; stamp: UnlockStamp }> {
  const [{ openHostEngine }, { keytarChildEntry, poolOptions }, { EngineError, toApiError }, { KeychainSecretStore }, { ChildKeytar }] = await Promise.all([
    import('../../../engine/engine'),
    import('../../shared/pool-entries'),
    import('../../../engine/errors'),
    import('../../../engine/secrets/keychain'),
    import('../../../engine/secrets/child-keytar'),
  ]);
  let engine: HostEngine;
  try {
    engine = await openHostEngine({
      dataDir: config.dataDir,
      host: 'cli',
      healthIntervalMs: 0,
      maxThreads: 2,
      // As the CLI's: a keychain call stuck past its deadline is killed with its process, and cannot keep an ended session alive.
      secrets: new KeychainSecretStore({ keytar: new ChildKeytar(keytarChildEntry(config.poolEntries)) }),
      ...poolOptions(config.poolEntries),
    });
  } catch (error) {
    throw new SessionStartError(error instanceof EngineError ? toApiError(error) : { code: 'INTERNAL', message: (error as Error).message });
  }
  const dispatch = async <T>(channel: string, input?: unknown): Promise<T> => {
    const result = (await engine.router.dispatch(channel, input, { host: 'cli' })) as Result<T>;
    if (!result.ok) throw new SessionStartError(result.error);
    return result.value;
  };
  try {
    type Status = { state: string; profiles: Array<{ id: string; name: string }>; profileName: string | null; role: string | null };
    const status = await dispatch<Status>('auth.status');
    if (status.state === 'setup-required') {
      throw new SessionStartError({ code: 'LOCKED', message: 'There is no profile in this data folder yet. Create one with `polystore init`.' });
    }
    const profile = config.requested === null ? undefined : status.profiles.find((p) => p.name === config.requested);
    if (config.requested !== null && !profile) {
      throw new SessionStartError({ code: 'NOT_FOUND', message: `There is no profile named "${config.requested}". Profiles: ${status.profiles.map((p) => p.name).join(', ')}.` });
    }
    const unlocked = await dispatch<Status>('auth.unlock', { secret, ...(profile ? { profileId: profile.id } : {}) });
    const stamp = engine.unlockStamp();
    if (!stamp) throw new SessionStartError({ code: 'LOCKED', message: 'The profile was locked again while the unlock session started. Run `polystore unlock` again.' });
    return { engine, profileName: unlocked.profileName ?? '', role: unlocked.role ?? '', stamp };
  } catch (error) {
    await engine.close();
    throw error;
  }
}

const tokenMatches = (expected: Buffer, presented: string): boolean => {
  const given = Buffer.from(presented, 'utf8');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
};

/** Opens the engine, unlocks the profile and starts serving; throws a SessionStartError (a wrong PIN, say) before anything is written. */
export async function startSession(config: SessionConfig, secret: string): Promise<RunningSession> {
  const { engine, profileName, role, stamp } = await openAndUnlock(config, secret);
  const dir = sessionDir(config.dataDir, config.requested);
  const token = crypto.randomBytes(32).toString('hex');
  const expected = Buffer.from(token, 'utf8');
  makePrivateDir(dir);
  const socketPath = chooseSocketPath(dir, crypto.randomBytes(9).toString('base64url'));
  if (path.dirname(socketPath) !== dir) makePrivateDir(path.dirname(socketPath));
  // A socket file left by a session that was killed: nobody listens on it (the record says whether one does).
  fs.rmSync(socketPath, { force: true });

  const info: SessionInfo = { pid: process.pid, profileName, role, idleTimeoutMs: config.idleTimeoutMs };
  const connections = new Set<net.Socket>();
  let idleTimer: NodeJS.Timeout | undefined;
  let ending: Promise<EndReason> | null = null;
  let resolveEnded!: (reason: EndReason) => void;
  const ended = new Promise<EndReason>((resolve) => (resolveEnded = resolve));

  const touch = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => void end('idle'), config.idleTimeoutMs);
  };

  /** Checked before each call: indexed reads and a SHA-256, no scrypt. */
  const stale = () => staleUnlock(stamp, engine.unlockStamp(), profileName);

  const answer = async (request: SessionRequest): Promise<Result<unknown>> => {
    switch (request.op) {
      case 'hello':
        return { ok: true, value: info };
      case 'end':
        setImmediate(() => void end('ended'));
        return { ok: true, value: { ended: true } };
      case 'call': {
        if (NOT_THROUGH_A_SESSION.has(request.channel)) {
          return failure('UNSUPPORTED', 'This profile is already unlocked by an unlock session; run `polystore lock` first to unlock another way.');
        }
        const gone = stale();
        if (gone) {
          setImmediate(() => void end(gone.reason));
          return { ok: false, error: gone.error };
        }
        const result = await engine.router.dispatch(request.channel, request.input, { host: 'cli' });
        if (result.ok && ENDS_THE_SESSION.has(request.channel)) setImmediate(() => void end(request.channel === 'auth.lock' ? 'locked' : 'secret-changed'));
        return result;
      }
      default: {
        const unknown: never = request;
        return unknown;
      }
    }
  };

  const server = net.createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => socket.destroy());
    const refuse = (id: number, code: ApiError['code'], message: string) => {
      socket.end(encodeResponse({ id, result: failure(code, message) }));
    };
    const onLine = (line: string) => {
      const request = parseRequest(line);
      if (!request) return refuse(0, 'VALIDATION', 'The unlock session received a request it cannot read.');
      if (!tokenMatches(expected, request.token)) return refuse(request.id, 'FORBIDDEN', 'The unlock session refused the request: wrong session token.');
      if (ending) return refuse(request.id, 'UNAVAILABLE', 'The unlock session is ending.');
      touch();
      void answer(request).then(
        (result) => socket.writable && socket.write(encodeResponse({ id: request.id, result })),
        (error: unknown) => socket.writable && socket.write(encodeResponse({ id: request.id, result: failure('INTERNAL', error instanceof Error ? error.message : 'The unlock session failed.') })),
      );
    };
    socket.on('data', lineSplitter(onLine, () => refuse(0, 'VALIDATION', 'The request is too large.'), MAX_REQUEST_BYTES));
  });

  const record: SessionRecord = { version: 1, pid: process.pid, requested: config.requested, socketPath, token, startedAt: new Date().toISOString(), idleTimeoutMs: config.idleTimeoutMs };
  const stillOurs = () => {
    const read = readRecord(config.dataDir, config.requested);
    return read.kind === 'record' && read.record.pid === record.pid && read.record.token === token;
  };

  // Every few seconds: is the profile folder still there, is the record still ours, is the profile still unlocked?
  // A PIN changed or a lock in the app is left to the next call (it serves nothing either way): that call's
  // command is told why the session ended, where a session gone already would leave it a bare "needs your PIN".
  const watch = setInterval(() => {
    if (!fs.existsSync(config.dataDir)) return void end('folder-gone');
    if (!stillOurs()) return void end('replaced');
    if (engine.unlockStamp() === null) void end('locked');
  }, config.watchIntervalMs ?? WATCH_INTERVAL_MS);

  function end(reason: EndReason): Promise<EndReason> {
    ending ??= (async () => {
      clearTimeout(idleTimer);
      clearInterval(watch);
      server.close();
      for (const socket of connections) socket.destroy();
      const lockReason = LOCK_REASON[reason];
      if (lockReason) engine.lockNow(lockReason);
      if (reason !== 'replaced' && stillOurs()) removeSessionFiles(config.dataDir, config.requested, socketPath);
      else fs.rmSync(socketPath, { force: true });
      engine.logger.info('cli unlock session ended', { reason, profile: profileName });
      await engine.close();
      resolveEnded(reason);
      return reason;
    })();
    return ending;
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    fs.chmodSync(socketPath, 0o600);
    writeRecord(recordFile(config.dataDir, config.requested), record);
  } catch (error) {
    await end('ended');
    throw new SessionStartError({ code: 'INTERNAL', message: `The unlock session could not listen: ${(error as Error).message}` });
  }
  touch();
  engine.logger.info('cli unlock session started', { profile: profileName, role, idleTimeoutMs: config.idleTimeoutMs });
  return { info, ended, end };
}
