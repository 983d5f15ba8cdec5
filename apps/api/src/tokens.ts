/** Injection tokens of the api app. */
export const API_METRICS = Symbol('API_METRICS');
export const CLOCK = Symbol('CLOCK');

/** The wall clock, injectable so that services can be driven in virtual time. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
