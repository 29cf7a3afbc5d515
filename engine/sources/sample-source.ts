import type { ConnectionTest, FileConnection, Source } from '../contract/index';
import { ConnectorError } from '../errors';
import { isSamplePaths, SAMPLE, SAMPLE_QUESTIONS, sampleFiles } from './sample-data';
import type { SourceRegistry } from './source-registry';

export interface SampleSourceOptions {
  registry: SourceRegistry;
  /** The sample's folder (throws a typed error when it is not installed). */
  locate: () => string;
  /** The connection test, which also imports a file source's files: afterwards the source is ready. */
  test: (sourceId: string) => Promise<ConnectionTest>;
}

/**
 * "Try it with sample data": the sample shipped with the app, added as an ordinary file
 * source (read-only like any other, removable, re-addable). Adding it twice returns the first.
 */
export class SampleSource {
  readonly #o: SampleSourceOptions;
  /** Adds run one at a time, so two clicks cannot make two samples. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: SampleSourceOptions) {
    this.#o = options;
  }

  #isSample(source: Source, currentFiles?: readonly string[]): boolean {
    // A damaged source (no readable connection) is nobody's sample.
    if (source.type !== 'file' || !source.connection) return false;
    const paths = (source.connection as FileConnection).paths;
    return isSamplePaths(paths) || (currentFiles !== undefined && paths.length === currentFiles.length && paths.every((p, i) => p === currentFiles[i]));
  }

  add(): Promise<Source> {
    const next = this.#queue.then(() => this.#add());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #add(): Promise<Source> {
    const files = sampleFiles(this.#o.locate());
    const existing = this.#o.registry.list().find((s) => this.#isSample(s, files));
    if (existing) {
      // The app moved since it was added (an update, another checkout): point it at today's files.
      const paths = (existing.connection as FileConnection).paths;
      const current = paths.every((p, i) => p === files[i]) ? existing : await this.#o.registry.update({ id: existing.id, connection: { paths: files } });
      return current.status === 'CONNECTED' || current.status === 'DISABLED' ? current : this.#ready(current.id, false);
    }
    const source = await this.#o.registry.create({ name: this.#freeName(), type: 'file', connection: { paths: files } }, { sample: 'chinook' });
    return this.#ready(source.id, true);
  }

  /** Tests (and so imports) the sample; a new one that cannot be imported is not left behind. */
  async #ready(id: string, isNew: boolean): Promise<Source> {
    const result = await this.#o.test(id);
    if (result.ok) return this.#o.registry.get(id);
    if (isNew) await this.#o.registry.remove(id);
    throw new ConnectorError(`The sample data could not be prepared: ${result.error?.message ?? 'the import failed'}`, { kind: result.error?.kind ?? 'UNKNOWN' });
  }

  /** The sample's name, or "… (2)" when the user already has a source of that name. */
  #freeName(): string {
    const taken = new Set(this.#o.registry.list().map((s) => s.name.toLowerCase()));
    let name: string = SAMPLE.name;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${SAMPLE.name} (${n})`;
    return name;
  }

  /** The tested example questions for the sample; none for other sources. */
  examples(sourceId: string): string[] {
    return this.#isSample(this.#o.registry.get(sourceId), this.#currentFiles()) ? [...SAMPLE_QUESTIONS] : [];
  }

  #currentFiles(): string[] | undefined {
    try {
      return sampleFiles(this.#o.locate());
    } catch {
      return undefined;
    }
  }
}
