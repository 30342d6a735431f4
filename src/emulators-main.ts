import { startSandboxCarriers, type SandboxCredentials } from "./app/sandbox-carriers.js";

/**
 * Runs the carrier emulators as their own process, so several numbergate processes can share one set of
 * carriers. Credentials are fixed and printed: these are fake carriers on loopback, not secrets.
 */
const credentials: SandboxCredentials = {
  twilio: { accountSid: `AC${"0".repeat(31)}1`, authToken: "sandbox-twilio-token", apiKeySid: `SK${"0".repeat(31)}1`, apiKeySecret: "sandbox-twilio-key-secret" },
  bandwidth: { username: "sandbox", password: "sandbox-bandwidth-password", accountId: "9900000", siteId: "1001", peerId: "500001" },
};

function port(variable: string): number {
  const raw = process.env[variable];
  const value = raw === undefined || raw === "" ? 0 : Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    process.stderr.write(`numbergate emulators: ${variable} must be a port number from 0 to 65535\n`);
    process.exit(2);
  }
  return value;
}

const carriers = await startSandboxCarriers(credentials, {
  twilio: port("NUMBERGATE_EMULATOR_TWILIO_PORT"),
  bandwidth: port("NUMBERGATE_EMULATOR_BANDWIDTH_PORT"),
});

process.stdout.write(`numbergate carrier emulators are running. Point numbergate at them with:

export NUMBERGATE_MODE=live
export TWILIO_API_URL=${carriers.twilio.origin}
export TWILIO_NUMBERS_URL=${carriers.twilio.origin}
export TWILIO_ACCOUNT_SID=${credentials.twilio.accountSid}
export TWILIO_AUTH_TOKEN=${credentials.twilio.authToken}
export BANDWIDTH_API_URL=${carriers.bandwidth.baseUrl}
export BANDWIDTH_USERNAME=${credentials.bandwidth.username}
export BANDWIDTH_PASSWORD=${credentials.bandwidth.password}
export BANDWIDTH_ACCOUNT_ID=${credentials.bandwidth.accountId}
export BANDWIDTH_SITE_ID=${credentials.bandwidth.siteId}
export BANDWIDTH_PEER_ID=${credentials.bandwidth.peerId}

Or authenticate to Twilio with the API key instead of the auth token:
  TWILIO_API_KEY=${credentials.twilio.apiKeySid} TWILIO_API_SECRET=${credentials.twilio.apiKeySecret}

Inject faults under either base URL, for example:
curl -X POST ${carriers.twilio.baseUrl}/__emulator/faults -d '{"kind":"status","status":503,"times":3}'
curl -X POST ${carriers.bandwidth.baseUrl}/__emulator/faults -d '{"kind":"hold","times":1}'
curl -X POST ${carriers.bandwidth.baseUrl}/__emulator/release
curl -X DELETE ${carriers.twilio.baseUrl}/__emulator/faults
`);

async function stop(): Promise<void> {
  await carriers.stop();
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
