import type { Fact } from "./types.js";

/**
 * What a model builder returns: its value and the facts that say where the
 * value came from. Builders return their provenance; the caller combines it
 * (`buildModel` lists every builder's facts in the order it asks them).
 */
export interface Found<T> {
  readonly value: T;
  readonly facts: readonly Fact[];
}

export function found<T>(value: T, facts: readonly Fact[] = []): Found<T> {
  return { value, facts };
}
