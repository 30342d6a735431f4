import { bandwidthCarrier } from "./bandwidth/bandwidth-carrier.js";
import type { CarrierDefinition } from "./kit/carrier-definition.js";
import { plivoCarrier } from "./plivo/plivo-carrier.js";
import { telnyxCarrier } from "./telnyx/telnyx-carrier.js";
import { twilioCarrier } from "./twilio/twilio-carrier.js";
import { vonageCarrier } from "./vonage/vonage-carrier.js";

/**
 * Every carrier numbergate speaks to, in its default order. Adding a carrier is its folder under src/carriers/
 * and one line here; everything else (configuration, sandbox, `npm run emulators`, pipelines, ListProviders,
 * the README check and the contract tests) reads this list.
 */
export const CARRIERS = [twilioCarrier, bandwidthCarrier, telnyxCarrier, vonageCarrier, plivoCarrier] as const;

export type RegisteredCarrier = (typeof CARRIERS)[number];

/** Each registered carrier's emulator, by carrier id, typed (sandbox.twilio is a TwilioEmulator). */
export type CarrierEmulators = { readonly [Carrier in RegisteredCarrier as Carrier["id"]]: Carrier extends CarrierDefinition<string, infer Emulator> ? Emulator : never };

export function findCarrier(id: string): RegisteredCarrier | undefined {
  return CARRIERS.find((carrier) => carrier.id === id);
}
