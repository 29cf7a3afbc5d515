import type { Command } from 'commander';
import type { CliContext } from '../context';
import { registerAppCommands } from './app';
import { registerAuditCommands } from './audit';
import { registerAuthCommands } from './auth';
import { registerChatCommands } from './chat';
import { registerDataCommands } from './data';
import { registerEvalCommands } from './eval';
import { registerProfilesCommands } from './profiles';
import { registerSessionCommands } from './session';
import { registerSourcesCommands } from './sources';
import { registerTelemetryCommands } from './telemetry';
import { registerVerifiedCommands } from './verified';

/** Every command group, in the order `--help` lists them. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerAuthCommands(program, ctx);
  registerSessionCommands(program, ctx);
  registerProfilesCommands(program, ctx);
  registerSourcesCommands(program, ctx);
  registerDataCommands(program, ctx);
  registerChatCommands(program, ctx);
  registerEvalCommands(program, ctx);
  registerVerifiedCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerTelemetryCommands(program, ctx);
  registerAppCommands(program, ctx);
}
