import { openEngine, type Engine, type EngineOptions } from '../../engine/engine';
import type { Result } from '../../engine/contract/errors';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../engine/contract/index';
import { createLogger } from '../../engine/log/logger';
import { tempDir } from './tmp';

export interface TestEngine {
  engine: Engine;
  dataDir: string;
  /** Calls a channel through the router, as a host would. */
  call<C extends ChannelName>(channel: C, input?: ChannelInput<C>): Promise<Result<ChannelOutput<C>>>;
  /** Same, but fails the test with the error's message when the call does not succeed. */
  ok<C extends ChannelName>(channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>>;
  close(): Promise<void>;
}

/** An engine on a throwaway data folder, the way every host opens one. */
export async function openTestEngine(options: Partial<EngineOptions> = {}): Promise<TestEngine> {
  const dir = options.dataDir ? null : tempDir();
  const dataDir = options.dataDir ?? dir!.path;
  const engine = await openEngine({
    host: 'test',
    healthIntervalMs: 0,
    maxThreads: 2,
    logger: createLogger({ file: `${dataDir}/logs/engine.log` }),
    ...options,
    dataDir,
  });
  const call = <C extends ChannelName>(channel: C, input?: ChannelInput<C>) =>
    engine.router.dispatch(channel, input, { host: 'test' }) as Promise<Result<ChannelOutput<C>>>;
  return {
    engine,
    dataDir,
    call,
    async ok(channel, input) {
      const result = await call(channel, input);
      if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
      return result.value;
    },
    async close() {
      await engine.close();
      dir?.remove();
    },
  };
}
