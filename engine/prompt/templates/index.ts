import type { SourceType } from '../../contract/index';
import { duckdbTemplate } from './duckdb';
import { mongodbTemplate } from './mongodb';
import { mysqlTemplate } from './mysql';
import { postgresTemplate } from './postgres';
import type { PromptTemplate } from './types';

export type { PromptTemplate, RenderOptions, SystemOptions } from './types';

/** The template for each kind of source; files are queried through DuckDB. */
export const templates: Record<SourceType, PromptTemplate> = {
  postgres: postgresTemplate,
  mysql: mysqlTemplate,
  mongodb: mongodbTemplate,
  file: duckdbTemplate,
};
