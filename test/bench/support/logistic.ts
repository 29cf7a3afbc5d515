/**
 * L2-regularised logistic regression, fitted by Newton's method: small and
 * deterministic (same data, same weights), for the calibration bench. The
 * intercept is not penalised; `offset` adds a fixed amount to each row's
 * log-odds (the part of the model that is set by hand, not fitted).
 */
export interface LogisticData {
  /** One row per example, one column per feature. */
  x: readonly (readonly number[])[];
  /** 1 for a positive example, 0 for a negative one. */
  y: readonly number[];
  offset?: readonly number[];
}

export interface LogisticFit {
  intercept: number;
  coefficients: number[];
  iterations: number;
}

export interface LogisticOptions {
  /** The penalty: l2 / 2 times the sum of the squared coefficients, added to the summed log-loss. */
  l2: number;
  maxIterations?: number;
  /** Converged when no weight moves by more than this in a step. */
  tolerance?: number;
}

const DEFAULT_MAX_ITERATIONS = 100;
const DEFAULT_TOLERANCE = 1e-9;
/** Step halvings tried before a Newton step is given up as not improving. */
const MAX_HALVINGS = 30;

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** log(1 + e^z) without overflow. */
const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/** The penalised objective: summed log-loss plus l2 / 2 * |coefficients|^2. */
export function logisticObjective(data: LogisticData, weights: readonly number[], l2: number): number {
  let loss = 0;
  for (let i = 0; i < data.y.length; i++) {
    const z = linear(data, weights, i);
    loss += softplus(z) - data.y[i]! * z;
  }
  let penalty = 0;
  for (let j = 1; j < weights.length; j++) penalty += weights[j]! ** 2;
  return loss + (l2 / 2) * penalty;
}

/** weights[0] is the intercept, weights[j + 1] the coefficient of feature j. */
function linear(data: LogisticData, weights: readonly number[], i: number): number {
  const row = data.x[i]!;
  let z = weights[0]! + (data.offset?.[i] ?? 0);
  for (let j = 0; j < row.length; j++) z += weights[j + 1]! * row[j]!;
  return z;
}

export function fitLogistic(data: LogisticData, options: LogisticOptions): LogisticFit {
  const n = data.y.length;
  const k = (data.x[0]?.length ?? 0) + 1;
  if (n === 0) throw new Error('no examples to fit');
  if (data.x.some((row) => row.length !== k - 1)) throw new Error('every row needs the same number of features');
  if (options.l2 < 0) throw new Error('the penalty cannot be negative');
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  let weights: number[] = new Array<number>(k).fill(0);
  let objective = logisticObjective(data, weights, options.l2);

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const gradient = new Array<number>(k).fill(0);
    const hessian = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < n; i++) {
      const p = sigmoid(linear(data, weights, i));
      const features = [1, ...data.x[i]!];
      const w = p * (1 - p);
      for (let a = 0; a < k; a++) {
        gradient[a]! += (p - data.y[i]!) * features[a]!;
        for (let b = 0; b < k; b++) hessian[a]![b]! += w * features[a]! * features[b]!;
      }
    }
    for (let j = 1; j < k; j++) {
      gradient[j]! += options.l2 * weights[j]!;
      hessian[j]![j]! += options.l2;
    }
    const step = solve(hessian, gradient);
    // Newton's step, halved until the objective goes down (it always can: the objective is convex).
    let scale = 1;
    let next = weights;
    let nextObjective = objective;
    for (let h = 0; h < MAX_HALVINGS; h++, scale /= 2) {
      const candidate = weights.map((value, j) => value - scale * step[j]!);
      const candidateObjective = logisticObjective(data, candidate, options.l2);
      if (candidateObjective <= objective) {
        next = candidate;
        nextObjective = candidateObjective;
        break;
      }
    }
    const moved = Math.max(...next.map((value, j) => Math.abs(value - weights[j]!)));
    weights = next;
    objective = nextObjective;
    if (moved < tolerance) return { intercept: weights[0]!, coefficients: weights.slice(1), iterations: iteration };
  }
  throw new Error(`the fit did not converge in ${maxIterations} iterations (l2 = ${options.l2}); separable data needs a larger penalty`);
}

/** Solves a x = b by Gaussian elimination with partial pivoting. */
export function solve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) < 1e-12) throw new Error('the system is singular: a feature is constant or a copy of another; add a penalty');
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = m[r]![col]! / m[col]![col]!;
      if (factor === 0) continue;
      for (let c = col; c <= n; c++) m[r]![c]! -= factor * m[col]![c]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}
