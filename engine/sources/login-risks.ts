import type { LoginRisk } from '../contract/index';
import type { ConnectionTestResult } from '../connectors/types';

/** Write privileges listed in the CAN_WRITE message before "and more". */
const LISTED_WRITES = 3;

/**
 * Everything a connection test found that the login can do beyond reading:
 * the store's own findings plus CAN_WRITE, one entry per code.
 */
export function loginRisks(result: ConnectionTestResult): LoginRisk[] {
  const risks = [...result.risks];
  if (result.canWrite && !risks.some((r) => r.code === 'CAN_WRITE')) {
    const listed = result.writeDetails.slice(0, LISTED_WRITES).join('; ');
    const more = result.writeDetails.length > LISTED_WRITES ? ' and more' : '';
    risks.push({ code: 'CAN_WRITE', message: `This login can change data or schema${listed ? ` (${listed}${more})` : ''}.` });
  }
  const seen = new Set<string>();
  return risks.filter((r) => !seen.has(r.code) && seen.add(r.code));
}

/** The identity of a set of risks, as confirmed: sorted codes. */
export function riskCodes(risks: readonly LoginRisk[]): string {
  return [...new Set(risks.map((r) => r.code))].sort().join(',');
}
