import type { Intent } from '../intent';
import type { JoinTree } from '../joins';
import type { Item } from '../linker';
import type { SchemaIndex } from '../schema-index';
import { SCORES } from '../scores';
import type { QueryPlan } from '../types';
import { tableChoices, type Choice, type Slot } from './choices';
import { Unanswerable } from './unanswerable';

/** Completes the plan once the combination of choices is known. */
export type Final = (pick: Choice[], tree: JoinTree) => void;

/**
 * What the resolver's steps share while they turn one intent into a plan: the slots (open
 * decisions), the finals that fill the plan once the slots are chosen, the guesses made, and the
 * mentions no step has used yet.
 */
export class Resolver {
  readonly slots: Slot[] = [];
  readonly finals: Final[] = [];
  readonly guesses: string[] = [];
  readonly plan: QueryPlan;
  /** Tables and columns named but not yet used by a step. */
  readonly remainingTables: Item[];
  readonly remainingFields: Item[];
  /** The slot whose table the query is about (FROM); -1 until a subject step sets it. */
  rootSlot = -1;
  /** "in descending order" with nothing named: the listing's own order, reversed once its columns are known. */
  listDirection: 'asc' | 'desc' = 'asc';

  constructor(
    readonly index: SchemaIndex,
    readonly intent: Intent,
  ) {
    this.plan = {
      version: 1,
      shape: 'list',
      database: '',
      subject: { schema: null, name: '' },
      columns: [],
      measures: [],
      dimensions: [],
      filters: [],
      having: [],
      order: [],
      limit: null,
      guesses: this.guesses,
    };
    this.remainingTables = [...intent.tables];
    this.remainingFields = [...intent.fields];
  }

  /** Opens a decision among `choices` (those close to the best); its index is the slot's number in a pick. */
  addSlot(name: string, choices: Choice[], additive = false): number {
    if (choices.length === 0) throw new Unanswerable(`nothing in the schema matches ${name}`);
    const sorted = [...choices].sort((a, b) => b.score - a.score || a.table.id.localeCompare(b.table.id));
    const best = sorted[0]!.score;
    this.slots.push({ name, choices: sorted.filter((c) => c.score >= best - SCORES.slotWindow), additive });
    return this.slots.length - 1;
  }

  takeTable(): Item | null {
    return this.remainingTables.shift() ?? null;
  }

  /** Takes `item` off the remaining columns. */
  useField(item: Item): void {
    this.remainingFields.splice(this.remainingFields.indexOf(item), 1);
  }

  /** A slot for "which rows": the table named, else the table of a value or column named. */
  subjectChoices(item: Item | null): Choice[] {
    if (item) return tableChoices(item);
    const fromValues = this.intent.values.flatMap((v) => v.item.values.map((e) => ({ table: e.field.table, score: SCORES.subjectFromValue })));
    const fromFields = [...this.remainingFields, ...this.intent.texts.map((t) => t.target).filter((t): t is Item => t !== null)].flatMap((i) =>
      i.fields.map((f) => ({ table: f.field.table, score: f.score * SCORES.subjectFromFieldFactor })),
    );
    const all = [...fromFields, ...fromValues];
    if (all.length > 0) this.guesses.push('which table to use (no table was named)');
    return all;
  }

  /** The subject's slot, once a subject step has opened it. */
  subjectSlot(): Slot | undefined {
    return this.slots[this.rootSlot];
  }
}

