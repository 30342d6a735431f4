import { z } from "zod";
import { portingSavedStateSchema } from "./twilio-emulator-porting-model.js";

/**
 * What the Twilio emulator remembers across a restart when the sandbox keeps its state (NUMBERGATE_DATA_DIR):
 * the account's numbers with their sids, the purchase position of every sid ever issued (page tokens name sids)
 * and the purchase history, and the port-in requests with the porting webhook configuration (absent in files saved
 * before porting existed). Test controls (unavailable numbers, account status) are not carrier state.
 */
const twilioSavedStateSchema = z.object({
  version: z.literal(1),
  owned: z.array(z.tuple([z.string(), z.object({ sid: z.string(), friendlyName: z.string(), dateCreated: z.string().optional() })])),
  positions: z.array(z.tuple([z.string(), z.number().int().nonnegative()])),
  purchases: z.array(z.string()),
  porting: portingSavedStateSchema.optional(),
});

export type TwilioSavedState = z.infer<typeof twilioSavedStateSchema>;

/** Checks a saved state read from disk; throws naming the first field that does not fit. */
export function parseTwilioSavedState(saved: unknown): TwilioSavedState {
  const parsed = twilioSavedStateSchema.safeParse(saved);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`${issue?.path.join(".") || "state"}: ${issue?.message ?? "invalid"}`);
}
