/** Source of "now" for the application layer; the domain never reads a clock (HOUSE-STYLE). */
export interface Clock {
  /** Current time. */
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
