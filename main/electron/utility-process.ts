/**
 * The engine's child processes (DuckDB work, see engine/pool/process-lane.ts)
 * as Electron utility processes: Node with native modules, started by
 * Chromium's service manager outside the main process, so a native abort in
 * one ends only that process.
 */
import { utilityProcess } from 'electron';
import { TailBuffer, type ChildExit, type ChildMessage, type ProcessLauncher } from '../../engine/pool/launcher';
import type { KeytarResponse, KeytarSpawn } from '../../engine/secrets/child-keytar';

export function utilityProcessLauncher(entry: string): ProcessLauncher {
  return ({ name, env }) => {
    const child = utilityProcess.fork(entry, [name], { serviceName: name, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr = new TailBuffer();
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    let exited: ChildExit | null = null;
    const exitListeners: Array<(exit: ChildExit) => void> = [];
    child.on('exit', (code) => {
      if (exited) return;
      exited = { code, signal: null, stderr: stderr.toString() };
      for (const listener of exitListeners) listener(exited);
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', (message) => listener(message as ChildMessage)),
      onExit(listener) {
        if (exited) listener(exited);
        else exitListeners.push(listener);
      },
      kill() {
        // Stuck native work may ignore SIGTERM (utilityProcess.kill); SIGKILL cannot be ignored.
        try {
          if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
          else child.kill();
        } catch {
          // Already gone: its exit is reported by the 'exit' event.
        }
      },
    };
  };
}

/**
 * The keychain process (engine/secrets/keytar-child.ts) as a utility process: Electron's main process
 * cannot count on forking Node (ELECTRON_RUN_AS_NODE may be turned off by a fuse). A keychain call
 * stuck past its deadline is then killed with its process instead of holding a thread of the app.
 */
export function utilityProcessKeytar(entry: string): KeytarSpawn {
  return () => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'polystore-keychain', stdio: 'ignore' });
    let ended = false;
    const exitListeners: Array<(why: string) => void> = [];
    child.on('exit', (code) => {
      if (ended) return;
      ended = true;
      for (const listener of exitListeners) listener(`the keychain process ended (exit code ${code})`);
    });
    return {
      // Messages sent before the process has started are queued by Electron.
      send: (request) => child.postMessage(request),
      onMessage: (listener) => void child.on('message', (message) => listener(message as KeytarResponse)),
      onExit: (listener) => void exitListeners.push(listener),
      kill() {
        // A call stuck in libsecret may ignore SIGTERM (utilityProcess.kill); SIGKILL cannot be ignored.
        try {
          if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
          else child.kill();
        } catch {
          // Already gone.
        }
      },
    };
  };
}
