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

/** A positive integer. */
export const positiveInt = makeValidator<number>((input) => {
  if (!/^[1-9]\d{0,8}$/.test(input)) throw new Error(`must be a positive integer, got "${input}"`);
  return Number(input);
});

