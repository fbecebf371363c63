/**
 * A seeded pseudo-random generator (sfc32), so a simulation or a training run is a pure function
 * of its seed: the same seed gives the same plant, the same readings and the
 * same ground truth on every machine. Math.random cannot be seeded.
 *
 * Each unit draws from its own stream (`SeededRandom.stream(seed, label)`), so
 * adding a unit or reading one unit more often never changes another unit's
 * values.
 */
import { fnv1a32 } from "./hash.js";

const TWO_POW_32 = 4_294_967_296;

/** splitmix32: spreads one 32-bit seed over the generator's four state words. */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Box–Muller makes normals in pairs; the second waits here. */
  private spare = Number.NaN;

  constructor(seed: number) {
    const mix = splitmix32(seed);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    // sfc32's first outputs are correlated with the seed; discard them.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** An independent stream for `label` (e.g. a unit id) under `seed`. */
  static stream(seed: number, label: string): SeededRandom {
    return new SeededRandom(fnv1a32(`${seed >>> 0}/${label}`));
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / TWO_POW_32;
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal. */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = Number.NaN;
      return z;
    }
    // 1 - next() is in (0, 1], so the log is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * Standard normal cut at ±limit. Sensor noise uses it so a plant model can
   * promise its values stay inside their bands; a true Gaussian tail would
   * break that promise once in a few million readings.
   */
  clippedNormal(limit: number): number {
    const z = this.normal();
    return z > limit ? limit : z < -limit ? -limit : z;
  }

  /** Log-normal with the given median and log-space standard deviation. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
}
