/** Seeded random numbers for simulation tests: mulberry32 (Tommy Ettinger) and Box–Muller normals. */
import { mulberry32 as uniformStream } from '../../src/core/random';

export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Student t with `df` degrees of freedom (normal over the root of a scaled chi-square). */
  studentT(df: number): number;
  /** Standard Laplace (double exponential), variance 2. */
  laplace(): number;
}

export function mulberry32(seed: number): Rng {
  const uniform = uniformStream(seed);
  let spare: number | null = null;
  const normal = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const studentT = (df: number) => {
    let chi = 0;
    for (let i = 0; i < df; i++) chi += normal() ** 2;
    return normal() / Math.sqrt(chi / df);
  };
  const laplace = () => {
    let u = 0;
    while (u === 0) u = uniform();
    return u < 0.5 ? Math.log(2 * u) : -Math.log(2 * (1 - u));
  };
  return { uniform, normal, studentT, laplace };
}
