import type { ConfidenceScale } from '../contract/index';
import { CONFIDENT_AT } from './confidence';

/**
 * How the app words the offline planner's calibrated confidence. The number
 * is a probability (confidence.ts), so the levels are read off it directly.
 */

/** Below one in two, a calibrated answer is more likely wrong than right: shown as unsure. */
export const UNSURE_BELOW = 0.5;

/**
 * The share of answers at CONFIDENT_AT or above that were right on the
 * spider-dev11 development set, as a floor: the spider integration test
 * (test/integration/engine/planner/spider.test.ts) fails below it.
 */
export const CONFIDENT_PRECISION = 0.9;

export const PLANNER_CONFIDENCE_SCALE: ConfidenceScale = {
  confidentAt: CONFIDENT_AT,
  unsureBelow: UNSURE_BELOW,
  confidentPrecision: CONFIDENT_PRECISION,
};
