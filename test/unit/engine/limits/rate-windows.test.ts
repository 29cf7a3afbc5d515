import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EngineError } from '../../../../engine/errors';
import { memoryRateWindows, sqliteRateWindows, type RateWindows } from '../../../../engine/limits/rate-windows';
import { ProviderRateLimiter } from '../../../../engine/llm/rate-limit';
import type { LlmProvider } from '../../../../engine/llm/types';
import { Admission, RATE_WINDOW_MS, type AdmissionLimits } from '../../../../engine/pool/admission';
import { openDatabase } from '../../../../engine/store/db';
import { tempDir } from '../../../support/tmp';

/**
 * The per-minute limits count in the profile's database, so two processes on one profile (the app
 * and a CLI command) share one window. Two connections to one SQLite file stand for the two
 * processes here: each has its own Admission or limiter, as each process would.
 */
const clock = { t: Date.parse('2026-12-07T08:00:00Z') };
const now = () => clock.t;

function twoProcesses() {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const a = openDatabase(file);
  const b = openDatabase(file);
  return {
    a: sqliteRateWindows(a),
    b: sqliteRateWindows(b),
    db: a,
    close() {
      a.close();
      b.close();
      dir.remove();
    },
  };
}

const limits = (perMinute: number): AdmissionLimits => ({
  sourceSlots: { control: 4, execute: 4 },
  isolatedSourceSlots: { control: 4, execute: 4 },
  sourceQueue: 8,
  laneCapacity: { control: 64, execute: 64 },
  sourceJobsPerMinute: perMinute,
});

async function outcome(entering: Promise<() => void>): Promise<string> {
  try {
    (await entering)();
    return 'admitted';
  } catch (error) {
    return error instanceof EngineError ? `${error.code} ${error.details?.reason}` : String(error);
  }
}

test("a source's jobs per minute: what one process started counts in the other's window", async () => {
  const p = twoProcesses();
  try {
    const app = new Admission({ limits: () => limits(3), now, rateWindows: p.a });
    const cli = new Admission({ limits: () => limits(3), now, rateWindows: p.b });
    assert.is(await outcome(app.enter('execute', 'src_a')), 'admitted');
    assert.is(await outcome(app.enter('execute', 'src_a')), 'admitted');
    clock.t += 1_000;
    assert.is(await outcome(cli.enter('control', 'src_a')), 'admitted', 'the third of three');
    assert.is(await outcome(cli.enter('control', 'src_a')), 'RATE_LIMITED SOURCE_RATE', 'a new process does not start with an empty window');
    assert.is(await outcome(app.enter('execute', 'src_a')), 'RATE_LIMITED SOURCE_RATE');
    assert.is(await outcome(cli.enter('control', 'src_b')), 'admitted', 'the limit is per source');
    clock.t += RATE_WINDOW_MS;
    assert.is(await outcome(cli.enter('control', 'src_a')), 'admitted', 'the window moved on');
    const left = p.db.prepare("SELECT count(*) AS n FROM rate_entries WHERE key = 'source-jobs:src_a'").get() as { n: number };
    assert.is(left.n, 1, 'entries that left the window are deleted');
  } finally {
    p.close();
  }
});

function provider(answer: () => Promise<{ inputTokens: number; outputTokens: number }>): LlmProvider {
  return {
    id: 'openai',
    label: 'Test model',
    model: 'm',
    hosted: true,
    complete: async () => ({ text: '{}', usage: await answer() }) as never,
  };
}

const request = { system: 'x'.repeat(400), messages: [], contextBlocks: [], maxTokens: 100 } as never;

test("a provider's requests, tokens and its own Retry-After are shared by every process on the profile", async () => {
  const p = twoProcesses();
  try {
    const settings = { requestsPerMinute: 2, tokensPerMinute: 0 };
    const app = new ProviderRateLimiter({ limits: () => settings, now, windows: p.a }).wrap(provider(async () => ({ inputTokens: 10, outputTokens: 5 })), 'k');
    const cli = new ProviderRateLimiter({ limits: () => settings, now, windows: p.b }).wrap(provider(async () => ({ inputTokens: 10, outputTokens: 5 })), 'k');
    await app.complete(request);
    await cli.complete(request);
    const refused = await cli.complete(request).catch((e: EngineError) => e);
    assert.is((refused as EngineError).details?.reason, 'PROVIDER_REQUESTS');

    // Tokens: the window holds each request's real usage once its answer came, not the estimate.
    clock.t += RATE_WINDOW_MS;
    settings.requestsPerMinute = 0;
    settings.tokensPerMinute = 400;
    await app.complete(request); // estimated 200, used 15
    await cli.complete(request); // 15 + 200 <= 400: room, because the first counts 15 now
    const third = await app.complete(request).catch((e: EngineError) => e);
    assert.not.instance(third, EngineError, 'the estimates would have refused it; the real usage does not');

    // The provider's 429 with Retry-After, heard by one process, pauses the other too.
    settings.tokensPerMinute = 0;
    const limited = new ProviderRateLimiter({ limits: () => settings, now, windows: p.a }).wrap(
      provider(async () => {
        throw new EngineError('RATE_LIMITED', 'slow down', { retryAfterMs: 30_000 });
      }),
      'k',
    );
    await limited.complete(request).catch(() => {});
    const paused = await cli.complete(request).catch((e: EngineError) => e);
    assert.is((paused as EngineError).details?.reason, 'PROVIDER_RETRY_AFTER');
    clock.t += 30_000;
    await cli.complete(request);
  } finally {
    p.close();
  }
});

test('the windows in memory and in SQLite keep the same count, and a damaged row is left out', () => {
  const p = twoProcesses();
  try {
    const windows: RateWindows[] = [memoryRateWindows(), p.a];
    for (const w of windows) {
      const admit = () => w.spend('k', clock.t - 60_000, (recent) => (recent.length < 2 ? { at: clock.t, amount: 1 } : null));
      assert.ok(admit() !== null);
      assert.ok(admit() !== null);
      assert.is(admit(), null, 'the third is not recorded');
      let seen = -1;
      assert.throws(() => w.spend('k', clock.t - 60_000, (recent) => ((seen = recent.length), (() => { throw new Error('refused'); })())), /refused/);
      assert.is(seen, 2);
    }
    p.db.prepare("INSERT INTO rate_entries (key, at, amount) VALUES ('d', ?, 1)").run(clock.t);
    p.db.prepare("UPDATE rate_entries SET at = 'soon' WHERE key = 'd'").run();
    let count = -1;
    p.a.spend('d', clock.t - 60_000, (recent) => ((count = recent.length), null));
    assert.is(count, 0);
  } finally {
    p.close();
  }
});

test.run();
