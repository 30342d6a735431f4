/** Emulated time per real second in sandbox port-ins: a day every 10 seconds. */
export const SANDBOX_PORTING_SPEED = 8_640;

/**
 * The clock sandbox emulators walk port-ins on. Real port-ins take days (a firm order commitment is a few
 * business days out); in sandbox mode carrier-side porting time runs a day every 10 seconds from start-up, so a
 * port completes in about a minute and a new user sees the whole walk. Only the emulators' porting follows it:
 * numbergate itself, its leases and every other emulated carrier behaviour keep real time. A requested port date
 * is judged by the emulator on this clock, so in a sandbox that has run for a while a near date is already past.
 */
export function sandboxPortingClock(realNow: () => number = Date.now, speed = SANDBOX_PORTING_SPEED): () => number {
  const start = realNow();
  return () => start + (realNow() - start) * speed;
}
