import type { ApiError, EvalRecord, EvalReport } from '../../../engine/contract/index';
import { getApi } from './api';
import { newRunId } from './chat-approval';
import { checkFileSize, readGoldenFile, type GoldenFile, type GoldenFileError } from './eval-file';
import { countByOutcome, filterRecords, mergeRecord, type OutcomeFilter } from './eval-records';

/**
 * Where the evaluation is. The engine owns the run (eval.run answers with the
 * report, or CANCELLED); this mirrors what it said: `running` until the call
 * returns, `cancelling` once eval.cancel was accepted.
 */
export type EvalPhase = 'idle' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';

export interface EvalProgress {
  evalId: string;
  sourceId: string;
  /** The golden file this run asks (another may be chosen meanwhile for the next run). */
  fileName: string;
  done: number;
  /** Null until the first eval.progress event names it. */
  total: number | null;
}

/**
 * The Evaluate page's state: the golden file chosen, the run in progress
 * (records appear as eval.progress reports them), and its report. Kept at
 * module level so a run goes on, and is shown again, when the user opens
 * another page meanwhile.
 */
export class EvalState {
  #file = $state.raw<GoldenFile | null>(null);
  #fileError = $state.raw<GoldenFileError | null>(null);
  #phase = $state.raw<EvalPhase>('idle');
  #progress = $state.raw<EvalProgress | null>(null);
  #records = $state.raw<EvalRecord[]>([]);
  #report = $state.raw<EvalReport | null>(null);
  #error = $state.raw<ApiError | null>(null);
  #filter = $state.raw<OutcomeFilter>('all');

  readonly visible = $derived(filterRecords(this.#records, this.#filter));
  readonly counts = $derived(countByOutcome(this.#records));

  get file() {
    return this.#file;
  }
  get fileError() {
    return this.#fileError;
  }
  get phase() {
    return this.#phase;
  }
  get progress() {
    return this.#progress;
  }
  get records() {
    return this.#records;
  }
  get report() {
    return this.#report;
  }
  get error() {
    return this.#error;
  }
  get filter() {
    return this.#filter;
  }
  get busy() {
    return this.#phase === 'running' || this.#phase === 'cancelling';
  }

  setFilter(filter: OutcomeFilter): void {
    this.#filter = filter;
  }

  /**
   * Reads a chosen file. A file that cannot be sent keeps the one chosen
   * before (and the last results): its error is shown next to the picker.
   */
  async choose(file: File): Promise<void> {
    const tooLarge = checkFileSize(file.name, file.size);
    if (tooLarge) {
      this.#fileError = tooLarge;
      return;
    }
    let text: string;
    try {
      text = await file.text();
    } catch (error) {
      this.#fileError = { code: 'UNREADABLE', message: `${file.name} could not be read: ${(error as Error).message}` };
      return;
    }
    const read = readGoldenFile(file.name, text);
    if (!read.ok) {
      this.#fileError = read.error;
      return;
    }
    this.#file = read.file;
    this.#fileError = null;
  }

  /** Asks the file's questions on the source; records appear as they are scored. */
  async run(input: { sourceId: string; threshold: number | null }): Promise<void> {
    const api = getApi();
    const file = this.#file;
    if (!api || !file || this.busy) return;
    const evalId = newRunId().replace(/^run_/, 'evl_');
    this.#phase = 'running';
    this.#progress = { evalId, sourceId: input.sourceId, fileName: file.name, done: 0, total: null };
    this.#records = [];
    this.#report = null;
    this.#error = null;
    this.#filter = 'all';
    const off = api.on('eval.progress', (p) => {
      if (p.evalId !== evalId) return;
      this.#records = mergeRecord(this.#records, p.record);
      this.#progress = { evalId, sourceId: p.sourceId, fileName: file.name, done: p.done, total: p.total };
    });
    try {
      const r = await api.eval.run({ sourceId: input.sourceId, lines: file.lines, evalId, ...(input.threshold !== null ? { threshold: input.threshold } : {}) });
      if (r.ok) {
        this.#report = r.value;
        this.#records = r.value.records;
        this.#progress = { evalId, sourceId: input.sourceId, fileName: file.name, done: r.value.records.length, total: r.value.records.length };
        this.#phase = 'done';
      } else if (r.error.code === 'CANCELLED') {
        this.#phase = 'cancelled';
      } else {
        this.#error = r.error;
        this.#phase = 'failed';
      }
    } finally {
      off();
    }
  }

  /** Stops the running evaluation: the engine cancels its current query and eval.run answers CANCELLED. */
  async cancel(): Promise<void> {
    const api = getApi();
    const progress = this.#progress;
    if (!api || !progress || this.#phase !== 'running') return;
    this.#phase = 'cancelling';
    const r = await api.eval.cancel({ evalId: progress.evalId });
    // Not running any more (it finished meanwhile): eval.run's answer sets the phase.
    if (!r.ok && this.#phase === 'cancelling') {
      this.#error = r.error;
      this.#phase = 'running';
    }
  }
}

export const evalState = new EvalState();
