import { openEngine, type Engine, type EngineOptions } from '../../engine/engine';
import type { Result } from '../../engine/contract/errors';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../engine/contract/index';
import { createLogger } from '../../engine/log/logger';
import { createPgDatabase, type PgFixture, type TestDatabase } from './databases';
import { tempDir } from './tmp';

export const TEST_PIN = '480613';

export interface TestEngine {
  engine: Engine;
  dataDir: string;
  /** Calls a channel through the router, as a host would. */
  call<C extends ChannelName>(channel: C, input?: ChannelInput<C>): Promise<Result<ChannelOutput<C>>>;
  /** Same, but throws with the error's code and message when the call does not succeed. */
  ok<C extends ChannelName>(channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>>;
  close(): Promise<void>;
}

/**
 * An engine on a throwaway data folder, opened the way every host opens one
 * (the real OS keychain unless `secrets` is given). With `unlocked`, a profile
 * is created with TEST_PIN first.
 */
export async function openTestEngine(options: Partial<EngineOptions> & { unlocked?: boolean; keepDataDir?: boolean } = {}): Promise<TestEngine> {
  const { unlocked, keepDataDir, ...engineOptions } = options;
  const dir = engineOptions.dataDir ? null : tempDir();
  const dataDir = engineOptions.dataDir ?? dir!.path;
  const engine = await openEngine({
    host: 'test',
    healthIntervalMs: 0,
    maxThreads: 2,
    logger: createLogger({ file: `${dataDir}/logs/engine.log` }),
    ...engineOptions,
    dataDir,
  });
  const call = <C extends ChannelName>(channel: C, input?: ChannelInput<C>) =>
    engine.router.dispatch(channel, input, { host: 'test' }) as Promise<Result<ChannelOutput<C>>>;
  const ok = async <C extends ChannelName>(channel: C, input?: ChannelInput<C>) => {
    const result = await call(channel, input);
    if (!result.ok) throw Object.assign(new Error(`${channel} failed: ${result.error.code} ${result.error.message}`), { apiError: result.error });
    return result.value;
  };
  if (unlocked) {
    const status = engine.lock.status();
    if (status.state === 'setup-required') await ok('auth.setup', { kind: 'pin', secret: TEST_PIN });
    else await ok('auth.unlock', { secret: TEST_PIN });
  }
  return {
    engine,
    dataDir,
    call,
    ok,
    async close() {
      await engine.close();
      if (!keepDataDir) dir?.remove();
    },
  };
}

export interface EngineWithSource {
  db: TestDatabase;
  te: TestEngine;
  sourceId: string;
  close(): Promise<void>;
}

/**
 * An unlocked engine with one PostgreSQL source on a fresh copy of `fixture`,
 * tested and its login risks confirmed (the superuser login these machines
 * use), so questions can be asked and queries run at once.
 */
export async function openEngineWithPgSource(fixture: PgFixture = 'chinook', name = 'Chinook'): Promise<EngineWithSource> {
  const db = createPgDatabase(fixture);
  const te = await openTestEngine({ unlocked: true });
  const sourceId = (await te.ok('sources.create', { name, type: 'postgres', url: `${db.url}?sslmode=disable` })).id;
  await te.ok('sources.test', { id: sourceId });
  await te.ok('sources.confirmRisks', { id: sourceId });
  return {
    db,
    te,
    sourceId,
    async close() {
      await te.close();
      db.drop();
    },
  };
}
