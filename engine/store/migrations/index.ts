import type { Migration } from '../migration';
import { migration as initial } from './0010-initial';

/** Every migration, in order. Append new ones; never edit or reorder shipped ones. */
export const migrations: readonly Migration[] = [initial];
