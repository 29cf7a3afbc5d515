import type { ChannelOutput } from '../../../engine/contract/index';
import { formatCount, formatDuration } from './chat-format';

export type StageStats = ChannelOutput<'telemetry.stages'>[number];

/** The order a question travels through. */
export const STAGES = ['generation', 'validation', 'approval', 'execution', 'rendering'] as const;

const LABELS: Record<string, string> = {
  generation: 'Writing the query',
  validation: 'Safety check and estimate',
  approval: 'Waiting for your approval',
  execution: 'Running the query',
  rendering: 'Showing the result',
};

export interface StageRow {
  stage: string;
  label: string;
  count: string;
  errors: string;
  p50: string;
  p95: string;
  tokens: string;
  hasErrors: boolean;
}

/** Rows for the Performance card: pipeline order first, then anything the engine adds later. */
export function stageRows(stats: readonly StageStats[]): StageRow[] {
  const rank = (s: string) => {
    const i = (STAGES as readonly string[]).indexOf(s);
    return i === -1 ? STAGES.length : i;
  };
  return [...stats]
    .sort((a, b) => rank(a.stage) - rank(b.stage) || a.stage.localeCompare(b.stage))
    .map((s) => ({
      stage: s.stage,
      label: LABELS[s.stage] ?? s.stage,
      count: formatCount(s.count),
      errors: formatCount(s.errors),
      p50: formatDuration(s.p50Ms),
      p95: formatDuration(s.p95Ms),
      tokens: s.tokensIn + s.tokensOut === 0 ? '—' : `${formatCount(s.tokensIn)} in · ${formatCount(s.tokensOut)} out`,
      hasErrors: s.errors > 0,
    }));
}
