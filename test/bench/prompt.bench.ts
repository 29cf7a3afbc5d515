/**
 * Prompt building for a generated 1,000-table schema (16k columns): metadata
 * scrubbing, relevance selection, rendering and token estimation, end to end.
 * Target: p95 ≤ 100 ms. Prints a markdown table. CPU time is printed next to
 * wall time: on a shared machine the wall clock includes waiting for a core.
 *
 *   node --import tsx test/bench/prompt.bench.ts [iterations]
 */
import { buildPrompt, type ConversationTurn, type PromptInput } from '../../engine/prompt/index';
import { chinookPostgres, generatedSchema } from '../unit/engine/prompt/fixtures';

const ITERATIONS = Number(process.argv[2] ?? 40);
const WARMUP = 3;
const TARGET_MS = 100;

const QUESTIONS = [
  'total payment amount by country for open invoices last month',
  'which suppliers have warehouses in Japan?',
  'list vehicle routes with the most claims',
  'average sensor reading per device and region this year',
  'top 10 products by shipment quantity',
];

const HISTORY: ConversationTurn[] = [
  { question: 'open invoices by country', query: "SELECT country, count(*) FROM finance.invoice WHERE status = 'open' GROUP BY country LIMIT 1000", columns: ['country', 'count'], resultSummary: '12 rows; Brazil 40, Germany 31' },
  { question: 'only those over 1000', query: "SELECT country, count(*) FROM finance.invoice WHERE status = 'open' AND amount > 1000 GROUP BY country LIMIT 1000", columns: ['country', 'count'], resultSummary: '9 rows' },
];

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function main(): void {
  const generated = performance.now();
  const big = generatedSchema(1000);
  const columns = big.databases[0]!.schemas.reduce((n, s) => n + s.objects.reduce((m, o) => m + o.fields.length, 0), 0);
  console.error(`generated 1,000 tables with ${columns.toLocaleString('en')} columns in ${(performance.now() - generated).toFixed(0)} ms`);

  const base = { settings: { rowLimit: 1000, allowSampleValues: false }, providerHosted: true, today: '2025-03-14' } as const;
  const cases: Array<{ name: string; input: (question: string) => PromptInput }> = [
    { name: '1,000 tables, hosted model (no samples)', input: (question) => ({ ...base, question, metadata: big }) },
    { name: '1,000 tables, local model (samples)', input: (question) => ({ ...base, question, metadata: big, providerHosted: false }) },
    { name: '1,000 tables, follow-up with 2 turns', input: (question) => ({ ...base, question, metadata: big, history: HISTORY }) },
    { name: 'Chinook, 11 tables (whole schema)', input: (question) => ({ ...base, question, metadata: chinookPostgres() }) },
  ];

  const lines = [
    '| case | first call (ms) | p50 (ms) | p95 (ms) | CPU p50 (ms) | CPU p95 (ms) | tables in prompt | est. tokens | p95 ≤ 100 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|:---:|',
  ];
  for (const c of cases) {
    const first = performance.now();
    let prompt = buildPrompt(c.input(QUESTIONS[0]!));
    const firstMs = performance.now() - first;
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      prompt = buildPrompt(c.input(QUESTIONS[i % QUESTIONS.length]!));
      const used = process.cpuUsage(cpuStarted);
      if (i < WARMUP) continue;
      times.push(performance.now() - started);
      cpu.push((used.user + used.system) / 1000);
    }
    const p95 = percentile(times, 95);
    const row = [
      c.name,
      firstMs.toFixed(1),
      percentile(times, 50).toFixed(1),
      p95.toFixed(1),
      percentile(cpu, 50).toFixed(1),
      percentile(cpu, 95).toFixed(1),
      prompt.tables.length,
      prompt.estimatedTokens.toLocaleString('en'),
      p95 <= TARGET_MS ? 'yes' : 'NO',
    ];
    lines.push(`| ${row.join(' | ')} |`);
  }
  console.log(`\nbuildPrompt (${ITERATIONS} runs per case after ${WARMUP} warm-ups, ${QUESTIONS.length} questions in rotation; target p95 ≤ ${TARGET_MS} ms)\n`);
  console.log(lines.join('\n'));
}

main();
