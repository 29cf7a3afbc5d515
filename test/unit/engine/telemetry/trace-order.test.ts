import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../../engine/store/db';
import { Telemetry } from '../../../../engine/telemetry/telemetry';

// A trace lists its stages in the order they started. Stages are stored to the millisecond and each is
// written when it ends, so a stage and the one it holds (generation holds the guardrail's validation of
// each draft) often share a start; the one that holds the other comes first, whatever order they ended in.

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);

test('a stage that starts in the same millisecond as one it holds is listed first, and the held one says so', () => {
  const db = openDatabase(':memory:');
  try {
    const telemetry = new Telemetry(db);
    const traceId = 'trc_same_ms';
    // Validation ends (and is written) first; generation started in the same millisecond and lasts longer.
    telemetry.record({ traceId, stage: 'validation', startedAt: T0, durationMs: 2, status: 'ok' });
    telemetry.record({ traceId, stage: 'generation', startedAt: T0, durationMs: 12, status: 'ok' });
    telemetry.record({ traceId, stage: 'approval', startedAt: T0 + 12, durationMs: 30, status: 'ok' });
    telemetry.record({ traceId, stage: 'execution', startedAt: T0 + 42, durationMs: 5, status: 'ok' });
    const trace = telemetry.lookup({ traceId });
    assert.equal(
      trace.stages.map((s) => [s.stage, s.within]),
      [
        ['generation', null],
        ['validation', 'generation'],
        ['approval', null],
        ['execution', null],
      ],
    );
  } finally {
    db.close();
  }
});

test.run();
