import type { Dispatcher } from "undici";
import { BandwidthAdapter } from "../carriers/bandwidth/bandwidth-adapter.js";
import { TwilioAdapter } from "../carriers/twilio/twilio-adapter.js";
import type { NumbergateConfig } from "../config/load-config.js";
import type { CarrierRegistration } from "../manager/carrier-registry.js";
import type { SandboxCarriers } from "./sandbox-carriers.js";

/**
 * One registration per carrier: the adapter pointed at the real carrier (live) or at its built-in
 * emulator (sandbox), with the configured priority and enabled flag.
 */
export function buildCarrierRegistrations(
  config: NumbergateConfig,
  sandbox: SandboxCarriers | undefined,
  dispatcher?: Dispatcher,
): CarrierRegistration[] {
  const twilioCredentials = sandbox
    ? { accountSid: sandbox.credentials.twilio.accountSid, username: sandbox.credentials.twilio.accountSid, password: sandbox.credentials.twilio.authToken }
    : config.twilio.credentials && {
        accountSid: config.twilio.credentials.accountSid,
        username: config.twilio.credentials.username,
        password: config.twilio.credentials.password.reveal(),
      };
  const bandwidthCredentials = sandbox
    ? sandbox.credentials.bandwidth
    : config.bandwidth.credentials && {
        username: config.bandwidth.credentials.username,
        password: config.bandwidth.credentials.password.reveal(),
        accountId: config.bandwidth.credentials.accountId,
      };

  const registrations: CarrierRegistration[] = [];
  // In live mode a carrier without credentials is disabled by configuration (load-config enforces it).
  registrations.push({
    adapter: new TwilioAdapter({
      accountSid: twilioCredentials?.accountSid ?? "AC00000000000000000000000000000000",
      username: twilioCredentials?.username ?? "",
      password: twilioCredentials?.password ?? "",
      apiBaseUrl: sandbox ? sandbox.twilioUrl : config.twilio.apiUrl,
      numbersBaseUrl: sandbox ? sandbox.twilioUrl : config.twilio.numbersUrl,
      dispatcher,
    }),
    priority: config.twilio.priority,
    enabled: config.twilio.enabled && twilioCredentials !== undefined,
    sandbox: sandbox !== undefined,
    disabledReason: config.twilio.enabled ? "no credentials configured" : "disabled by TWILIO_ENABLED=false",
  });
  registrations.push({
    adapter: new BandwidthAdapter({
      username: bandwidthCredentials?.username ?? "",
      password: bandwidthCredentials?.password ?? "",
      accountId: bandwidthCredentials?.accountId ?? "0",
      // Orders must name the account's site (and its SIP peer, when given), at the emulator as at Bandwidth.
      siteId: sandbox ? sandbox.credentials.bandwidth.siteId : config.bandwidth.credentials?.siteId,
      peerId: sandbox ? sandbox.credentials.bandwidth.peerId : config.bandwidth.credentials?.peerId,
      apiBaseUrl: sandbox ? sandbox.bandwidthUrl : config.bandwidth.apiUrl,
      dispatcher,
    }),
    priority: config.bandwidth.priority,
    enabled: config.bandwidth.enabled && bandwidthCredentials !== undefined,
    sandbox: sandbox !== undefined,
    disabledReason: config.bandwidth.enabled ? "no credentials configured" : "disabled by BANDWIDTH_ENABLED=false",
  });
  return registrations;
}
