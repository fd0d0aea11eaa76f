/**
 * Student's t distribution: upper tail and quantile, for the two-sample t-test of the soak growth
 * comparison (`core/gate/growth.ts`).
 *
 * P(T > t) = ½·I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0 (Abramowitz & Stegun 26.7.1 with 26.5.27), I the
 * regularized incomplete beta function, evaluated by its continued fraction (A&S 26.5.8) with the
 * modified Lentz method (Press et al., Numerical Recipes, 3rd ed., §6.4); ln Γ by Lanczos' series
 * (g = 7, n = 9). The quantile inverts the tail by bisection on a bracket, to about 1e-12 relative.
 * Accuracy: about 1e-12 relative (1e-11 at a thousand degrees of freedom, where the ln Γ differences
 * lose digits), checked against SciPy (`scripts/golden-soak.py`).
 */

const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905,
  -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The continued fraction of I_x(a, b) (A&S 26.5.8), modified Lentz. */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = Math.abs(d) < tiny ? tiny : d;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    // Even step.
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + num / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    f *= d * c;
    // Odd step.
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + num / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

/**
 * The regularized incomplete beta function I_x(a, b), for 0 ≤ x ≤ 1 and a, b > 0. `y` is 1 − x, given
 * separately when it is known more precisely than 1 − x can be computed.
 */
export function regularizedBeta(x: number, a: number, b: number, y = 1 - x): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(y) + lnGamma(a + b) - lnGamma(a) - lnGamma(b));
  // The fraction converges fast for x < (a + 1)/(a + b + 2); beyond, use I_x(a, b) = 1 − I_y(b, a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(y, b, a)) / b;
}

/** P(T > t) for Student's t with `df` > 0 degrees of freedom. */
export function studentTSurvival(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTSurvival: expected degrees of freedom > 0, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 0;
  if (t === Number.NEGATIVE_INFINITY) return 1;
  // x = ν/(ν + t²) and 1 − x = t²/(ν + t²), each computed directly to keep its precision.
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5, (t * t) / (df + t * t));
  return t >= 0 ? tail : 1 - tail;
}

/** The t with upper tail probability q: P(T > t) = q, for 0 < q < 1. */
export function studentTQuantileUpper(q: number, df: number): number {
  if (!(q > 0 && q < 1)) throw new RangeError(`studentTQuantileUpper: expected a probability in (0, 1), got ${q}`);
  if (q > 0.5) return -studentTQuantileUpper(1 - q, df);
  if (q === 0.5) return 0;
  let lo = 0;
  let hi = 1;
  while (studentTSurvival(hi, df) > q) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Number.POSITIVE_INFINITY;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTSurvival(mid, df) > q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
