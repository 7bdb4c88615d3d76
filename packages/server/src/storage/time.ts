/**
 * The one timestamp representation: integer epoch milliseconds, in memory and in both databases
 * (`bigint` on PostgreSQL, `integer` on SQLite). node:sqlite silently stores a `Date` as NULL, so
 * dates never reach a query; they are converted here at the edges.
 */
export type EpochMs = number;

/** Current time in epoch milliseconds. */
export function nowMs(): EpochMs {
  return Date.now();
}

/** ISO-8601 string for an epoch-ms value (API responses, CSV export). */
export function toIso(ms: EpochMs): string {
  return new Date(ms).toISOString();
}

/** Optional variant of `toIso`. */
export function toIsoOrNull(ms: EpochMs | null | undefined): string | null {
  return ms === null || ms === undefined ? null : toIso(ms);
}
