import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runCli } from '../../main/cli/index';
import { repoRoot } from './tmp';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json<T = unknown>(): T;
}

/** Runs the CLI in-process with captured output. */
export async function cli(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    readStdin: async () => options.stdin ?? '',
    env: { ...process.env, ...options.env },
    stdinIsTTY: false,
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/** Runs the real `polystore` bin in a child process, as a user or a QA script would. */
export function cliProcess(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'main/cli/bin.mjs'), ...args], {
    cwd: repoRoot,
    input: options.stdin ?? '',
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: 120_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, json: () => JSON.parse(result.stdout) };
}
