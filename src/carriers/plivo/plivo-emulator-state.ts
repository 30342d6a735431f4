import { z } from "zod";
import type { PlivoRentals } from "./plivo-emulator-rentals.js";

/**
 * What the Plivo emulator remembers across a restart when the sandbox keeps its state (NUMBERGATE_DATA_DIR): the
 * account's numbers (with their activation progress, so a pending number goes on from where it was) and the
 * purchase history. Test controls (unavailable numbers, polls before activation) are not carrier state.
 */
const plivoSavedStateSchema = z.object({
  version: z.literal(1),
  rented: z.array(
    z.tuple([
      z.string(),
      z.object({ addedOn: z.string(), active: z.boolean(), complianceStatus: z.string().nullable(), polls: z.number().int().nonnegative() }),
    ]),
  ),
  purchases: z.array(z.string()),
});

export type PlivoSavedState = z.infer<typeof plivoSavedStateSchema>;

export function savePlivoState(rentals: PlivoRentals): PlivoSavedState {
  return { version: 1, rented: [...rentals.rented].map(([e164, rental]) => [e164, { ...rental }]), purchases: [...rentals.purchases] };
}

/** Replaces the emulator's account with a saved one; throws naming the first field that does not fit. */
export function restorePlivoState(rentals: PlivoRentals, saved: unknown): void {
  const parsed = plivoSavedStateSchema.safeParse(saved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join(".") || "state"}: ${issue?.message ?? "invalid"}`);
  }
  rentals.rented.clear();
  for (const [e164, rental] of parsed.data.rented) rentals.rented.set(e164, { ...rental });
  rentals.purchases.splice(0, rentals.purchases.length, ...parsed.data.purchases);
}
