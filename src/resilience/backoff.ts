/**
 * Exponential backoff with full jitter: a uniformly random delay between 0 and min(max, base * 2^attempt).
 * Full jitter spreads retries of many callers apart, so a recovering carrier is not hit by a synchronized
 * wave (the AWS Architecture Blog's analysis of backoff strategies).
 */
export function fullJitterBackoff(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
