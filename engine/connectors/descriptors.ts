import type { SourceType } from '../contract/index';
import { filesDescriptor } from './files/descriptor';
import { mongodbDescriptor } from './mongodb/descriptor';
import { mysqlDescriptor } from './mysql/descriptor';
import { postgresDescriptor } from './postgres/descriptor';
import type { ConnectorDescriptor } from './types';

/** Host-side facts per store (no drivers loaded). */
export const descriptors: Record<SourceType, ConnectorDescriptor> = {
  postgres: postgresDescriptor,
  mysql: mysqlDescriptor,
  mongodb: mongodbDescriptor,
  file: filesDescriptor,
};
