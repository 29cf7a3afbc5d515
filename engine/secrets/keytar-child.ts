/**
 * The keychain's own process, for every host (the CLI, the browser host, Electron): it runs keytar's
 * calls and answers over the IPC channel (Node's fork) or the parent port (Electron's utilityProcess). A call stuck in libsecret (a frozen or locked keyring daemon)
 * holds a libuv thread that nothing can stop, and Node joins those threads when it exits; here the
 * host kills this process instead (engine/secrets/child-keytar.ts), and exits at once. Nothing is
 * logged: the messages carry passwords.
 */
import { createRequire } from 'node:module';
import type { KeytarRequest, KeytarResponse } from './child-keytar';

const require = createRequire(import.meta.url);

type Keytar = {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
};

let keytar: Keytar | null = null;
let loadError: string | null = null;
try {
  keytar = require('keytar') as Keytar;
} catch (error) {
  loadError = error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** Electron's utility process gets a MessagePort-like `process.parentPort`; a forked Node process has `process.send`. */
interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as { parentPort?: ElectronParentPort }).parentPort;

function answer(response: KeytarResponse): void {
  if (parentPort) parentPort.postMessage(response);
  else process.send?.(response);
}

async function handle(request: KeytarRequest): Promise<void> {
  if (!keytar) return answer({ id: request.id, ok: false, message: `keytar could not be loaded (${loadError})`, load: true });
  try {
    switch (request.op) {
      case 'get':
        return answer({ id: request.id, ok: true, value: await keytar.getPassword(request.service, request.account) });
      case 'set':
        await keytar.setPassword(request.service, request.account, request.password);
        return answer({ id: request.id, ok: true, value: null });
      case 'delete':
        return answer({ id: request.id, ok: true, value: await keytar.deletePassword(request.service, request.account) });
      default: {
        const never: never = request;
        throw new Error(`unknown keychain operation ${JSON.stringify(never)}`);
      }
    }
  } catch (error) {
    answer({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
}

if (parentPort) {
  // Electron ends its utility processes with the app.
  parentPort.on('message', (event) => void handle(event.data as KeytarRequest));
} else {
  process.on('message', (message: KeytarRequest) => void handle(message));
  // The host went away (it exited, or gave this process up): nothing more to do.
  process.on('disconnect', () => process.exit(0));
}
