/** Emulated time per real second in sandbox port-ins: a day every 10 seconds. */
export const SANDBOX_PORTING_SPEED = 8_640;

/**
 * The clock sandbox emulators walk port-ins on. Real port-ins take days (a firm order commitment is a few
 * business days out); in sandbox mode carrier-side porting time runs a day every 10 seconds from start-up, so a
 * port completes in about a minute and a new user sees the whole walk. Only the emulators' porting walk follows
 * it: numbergate itself, its leases, every other emulated carrier behaviour, and the emulators' checks of a
 * requested port date (judged on real time, as the carriers do) keep real time.
 */
export function sandboxPortingClock(realNow: () => number = Date.now, speed = SANDBOX_PORTING_SPEED): () => number {
  const start = realNow();
  return () => start + (realNow() - start) * speed;
}
