import { z } from "zod";

/**
 * What the Vonage emulator remembers across a restart when the sandbox keeps its state (NUMBERGATE_DATA_DIR): the
 * account's numbers, in the order it got them, and the purchase history. Vonage numbers have no id beyond the
 * msisdn. Test controls (unavailable numbers) are not carrier state.
 */
const vonageSavedStateSchema = z.object({
  version: z.literal(1),
  owned: z.array(z.object({ msisdn: z.string().regex(/^[0-9]+$/), country: z.string(), type: z.string(), features: z.array(z.string()) })),
  purchases: z.array(z.string()),
});

export type VonageSavedState = z.infer<typeof vonageSavedStateSchema>;

/** Checks a saved state read from disk; throws naming the first field that does not fit. */
export function parseVonageSavedState(saved: unknown): VonageSavedState {
  const parsed = vonageSavedStateSchema.safeParse(saved);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`${issue?.path.join(".") || "state"}: ${issue?.message ?? "invalid"}`);
}
