import type { PlannerDialect } from '../types';
import { duckdbRenderer } from './duckdb';
import { mongodbRenderer } from './mongodb';
import { mysqlRenderer } from './mysql';
import { postgresRenderer } from './postgres';
import type { PlanRenderer } from './types';

/** One renderer per dialect: the only place the planner picks by dialect. */
export const renderers: Record<PlannerDialect, PlanRenderer> = {
  postgres: postgresRenderer,
  mysql: mysqlRenderer,
  duckdb: duckdbRenderer,
  mongodb: mongodbRenderer,
};
