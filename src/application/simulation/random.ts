/**
 * The simulator's seeded random source: `pure-rand`'s xoroshiro128+ (the generator fast-check uses),
 * with the few draws the simulator needs. Every draw goes through one instance, so a run is a pure
 * function of its seed. Never `Math.random`.
 */
import * as prand from 'pure-rand';

/** Mixes a seed and an index into a 32-bit seed (splitmix32 finaliser), for independent sub-streams. */
export function mixSeed(seed: number, index: number): number {
  let z = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** A mutable seeded random source. */
export class Rng {
  private readonly gen: prand.RandomGenerator;

  constructor(seed: number) {
    this.gen = prand.xoroshiro128plus(seed | 0);
  }

  /** A sub-stream for `index` that does not depend on how many draws this one made. */
  static forIndex(seed: number, index: number): Rng {
    return new Rng(mixSeed(seed, index));
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return prand.unsafeUniformIntDistribution(min, max, this.gen);
  }

  /** True with probability `p` (0 ≤ p ≤ 1), at a resolution of 1e-6. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.int(0, 999_999) < Math.round(p * 1_000_000);
  }

  /** One element of a non-empty list. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }

  /** One element by integer weights. */
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    const total = xs.reduce((s, [, w]) => s + w, 0);
    let r = this.int(0, total - 1);
    for (const [x, w] of xs) {
      if (r < w) return x;
      r -= w;
    }
    return xs[xs.length - 1]![0];
  }

  /** Hex string of `n` characters (keys, tokens). */
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += this.int(0, 0xffff).toString(16).padStart(4, '0');
    return s.slice(0, n);
  }

  /** A new list with the elements in random order (Fisher–Yates). */
  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}
