import { createHash } from 'node:crypto';

/** What a pool is keyed on: the source, its connection details and its password. */
export interface PoolKeyInput {
  sourceId: string;
  connection: unknown;
  password: string | null;
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * `sourceId:hash`. The password is part of the hash (a changed password gets
 * a fresh pool) but the key never contains it in a readable form.
 */
export function poolKey(input: PoolKeyInput): string {
  const hash = createHash('sha256').update(stable(input.connection)).update('\0').update(input.password ?? '').digest('hex');
  return `${input.sourceId}:${hash.slice(0, 32)}`;
}

interface Slot<P> {
  sourceId: string;
  pool: P;
  users: number;
  retired: boolean;
}

/**
 * Pools by key, with reference counts. When a source's details change, its
 * old pool is retired: it closes once the calls still using it finish, so a
 * password change never cuts a running query.
 */
export class PoolCache<P extends { close(): Promise<void> }> {
  readonly #slots = new Map<string, Slot<P>>();
  readonly #closing = new Set<Promise<void>>();

  async use<T>(input: PoolKeyInput, create: () => P, fn: (pool: P) => Promise<T>): Promise<T> {
    const key = poolKey(input);
    let slot = this.#slots.get(key);
    if (!slot) {
      for (const [otherKey, other] of this.#slots) {
        if (other.sourceId === input.sourceId) this.#retire(otherKey, other);
      }
      slot = { sourceId: input.sourceId, pool: create(), users: 0, retired: false };
      this.#slots.set(key, slot);
    }
    slot.users++;
    try {
      return await fn(slot.pool);
    } finally {
      slot.users--;
      if (slot.retired && slot.users === 0) this.#close(slot.pool);
    }
  }

  /** Drops the pool for these details (e.g. after its login failed), once idle. */
  discard(input: PoolKeyInput): void {
    const key = poolKey(input);
    const slot = this.#slots.get(key);
    if (slot) this.#retire(key, slot);
  }

  get size(): number {
    return this.#slots.size;
  }

  async closeAll(): Promise<void> {
    const slots = [...this.#slots.values()];
    this.#slots.clear();
    for (const slot of slots) this.#close(slot.pool);
    await Promise.all([...this.#closing]);
  }

  #retire(key: string, slot: Slot<P>): void {
    this.#slots.delete(key);
    slot.retired = true;
    if (slot.users === 0) this.#close(slot.pool);
  }

  #close(pool: P): void {
    const closing = pool.close().catch(() => {});
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
  }
}
