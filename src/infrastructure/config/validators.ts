import { makeValidator } from 'envalid';
import ms from 'ms';

/** A duration like `30s`, `15m`, `2h`, `3d` → milliseconds (via the `ms` library). */
export const duration = makeValidator<number>((input) => {
  const value = ms(input as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`must be a duration like 30s, 15m, 2h or 3d, got "${input}"`);
  }
  return value;
});

/**
 * A duration as {@link duration} takes it, of at most `maxMs` milliseconds; a longer one is refused
 * with the bound (as `ms` writes it, e.g. `1s`) and `why` in the message.
 */
export const durationAtMost = (maxMs: number, why: string) =>
  makeValidator<number>((input) => {
    const value = duration()._parse(input);
    if (value > maxMs) throw new Error(`must be at most ${ms(maxMs)}, ${why}, got "${input}"`);
    return value;
  });

/** A positive integer. */
export const positiveInt = makeValidator<number>((input) => {
  if (!/^[1-9]\d{0,8}$/.test(input)) throw new Error(`must be a positive integer, got "${input}"`);
  return Number(input);
});

/**
 * `spec` with its default given the way a user writes it in the environment (`10s`, `1mb`,
 * `finance=3d,operations=1d,cx=2d`, `none`): the spec's own validator parses that text into the
 * default, so the default `serve --help` prints (`writtenDefault`) is by construction the value the
 * service runs with when the variable is unset.
 * @throws Error at module load when `written` does not parse (a programming error in `ENV_SPECS`).
 */
export function writtenDefault<S extends { _parse: (input: string) => unknown }>(written: string, spec: S): S & { default: ReturnType<S['_parse']>; writtenDefault: string } {
  return { ...spec, default: spec._parse(written) as ReturnType<S['_parse']>, writtenDefault: written };
}
