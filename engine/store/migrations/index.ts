import type { Migration } from '../migration';
import { migration as initial } from './0010-initial';
import { migration as connectors } from './0020-connectors';
import { migration as approvals } from './0030-approvals';
import { migration as chat } from './0040-chat';
import { migration as loginRisks } from './0070-login-risks';
import { migration as approvalUses } from './0080-approval-uses';
import { migration as auditChain } from './0090-audit-chain';
import { migration as verifiedAnswers } from './0100-verified-answers';
import { migration as runStarts } from './0110-run-starts';
import { migration as resultRetention } from './0120-result-retention';
import { migration as roles } from './0130-roles';
import { migration as sourceCircuits } from './0140-source-circuits';
import { migration as approvalProfiles } from './0150-approval-profiles';
import { migration as resultColumns } from './0160-result-columns';
import { migration as rateEntries } from './0190-rate-entries';

/** Every migration, in order. Append new ones; never edit or reorder shipped ones. */
export const migrations: readonly Migration[] = [initial, connectors, approvals, chat, loginRisks, approvalUses, auditChain, verifiedAnswers, runStarts, resultRetention, roles, sourceCircuits, approvalProfiles, resultColumns, rateEntries];
