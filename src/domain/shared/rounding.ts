/**
 * Rounding modes and the ERP rounding profile (DESIGN §5).
 */
import { Dec, type DecRounding } from './decimal';

/**
 * - `half_up`: nearest, ties away from zero (commercial rounding; Business Central "Nearest").
 * - `half_even`: nearest, ties to the even neighbour (banker's rounding).
 * - `up`: away from zero (BC "Up").
 * - `down`: toward zero, i.e. truncation (BC "Down").
 */
export type RoundingMode = 'half_up' | 'half_even' | 'up' | 'down';

/** Every rounding mode, for validation and tests. */
export const ROUNDING_MODES: readonly RoundingMode[] = ['half_up', 'half_even', 'up', 'down'];

/**
 * How an ERP rounds, configured per ERP/company (DESIGN §5):
 * - `level`: `per_line` rounds tax (or net, with tax-inclusive prices) on every line;
 *   `per_document` rounds once per tax rate on the document total and distributes the remainder over
 *   the lines as Business Central does (see `expectedErpDocument` in tax.ts).
 * - `mode`: how that rounding goes.
 * - `pricesIncludeTax`: whether line amounts are gross (tax extracted) or net (tax added).
 */
export interface ErpRoundingProfile {
  level: 'per_line' | 'per_document';
  mode: RoundingMode;
  pricesIncludeTax: boolean;
}

const DECIMAL_JS_MODE: Record<RoundingMode, DecRounding> = {
  half_up: Dec.ROUND_HALF_UP,
  half_even: Dec.ROUND_HALF_EVEN,
  up: Dec.ROUND_UP,
  down: Dec.ROUND_DOWN,
};

/** Rounds `d` to `decimals` digits after the point with `mode`. Pure; returns a new value. */
export function roundTo(d: Dec, decimals: number, mode: RoundingMode): Dec {
  return d.toDecimalPlaces(decimals, DECIMAL_JS_MODE[mode]);
}

/** Answers whether `m` is a {@link RoundingMode}. */
export function isRoundingMode(m: unknown): m is RoundingMode {
  return typeof m === 'string' && (ROUNDING_MODES as readonly string[]).includes(m);
}
