import { TEST_ENCRYPTION_KEY } from "./encryption.js";

/**
 * What live mode needs before it starts, for tests that are not about either: an encryption key (it refuses to
 * start without one) and open access on purpose (it refuses to start open otherwise; test/server/access-control
 * covers that).
 */
export const LIVE_BASICS: Readonly<Record<string, string>> = { NUMBERGATE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, NUMBERGATE_ALLOW_UNAUTHENTICATED: "true" };
