// The detached process of an unlock session (`polystore unlock` starts it; in
// the bundle it is dist/node/<build>/cli-session.mjs). Its parent sends the
// configuration and the secret over the IPC channel (never argv or the
// environment, which other tools can read), waits for "started" or the error,
// then disconnects; from then on the session answers only on its socket.
import type { SessionInfo } from './protocol';
import { SessionStartError, startSession, type SessionConfig } from './server';

export interface StartMessage {
  kind: 'start';
  config: SessionConfig;
  secret: string;
}

export type StartReply = { ok: true; value: SessionInfo } | { ok: false; error: { code: string; message: string } };

/** The parent sends the start message right after spawning; a process nobody talks to exits. */
const START_MESSAGE_DEADLINE_MS = 30_000;

const reply = (message: StartReply) => new Promise<void>((resolve) => (process.send ? process.send(message, undefined, {}, () => resolve()) : resolve()));

async function main(): Promise<void> {
  const start = await new Promise<StartMessage | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), START_MESSAGE_DEADLINE_MS);
    process.once('message', (message: StartMessage) => {
      clearTimeout(timer);
      resolve(message?.kind === 'start' ? message : null);
    });
    process.once('disconnect', () => resolve(null));
  });
  if (!start) process.exit(2);
  let session;
  try {
    session = await startSession(start.config, start.secret);
  } catch (error) {
    const apiError = error instanceof SessionStartError ? error.error : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
    await reply({ ok: false, error: { code: apiError.code, message: apiError.message } });
    process.exit(1);
  }
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => void session.end('signal'));
  await reply({ ok: true, value: session.info });
  if (process.connected) process.disconnect();
  await session.ended;
  process.exit(0);
}

void main();
