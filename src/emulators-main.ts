import { randomBytes } from "node:crypto";
import { startSandboxCarriers } from "./app/sandbox-carriers.js";
import { sandboxPortingClock } from "./app/sandbox-porting-clock.js";
import { CARRIERS } from "./carriers/registry.js";

/**
 * Runs the carrier emulators as their own process, so several numbergate processes can share one set of
 * carriers. Credentials are fixed and printed: these are fake carriers on loopback, not secrets.
 * NUMBERGATE_EMULATOR_<CARRIER>_PORT (NUMBERGATE_EMULATOR_TWILIO_PORT, ...) fixes a carrier's port.
 */
function port(variable: string): number {
  const raw = process.env[variable];
  const value = raw === undefined || raw === "" ? 0 : Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    process.stderr.write(`numbergate emulators: ${variable} must be a port number from 0 to 65535\n`);
    process.exit(2);
  }
  return value;
}

const ports = Object.fromEntries(CARRIERS.map((carrier) => [carrier.id, port(`NUMBERGATE_EMULATOR_${carrier.envPrefix}_PORT`)]));
const carriers = await startSandboxCarriers({ ports, fixedCredentials: true, portingClock: sandboxPortingClock() });

const exports = Object.entries(carriers.environment).map(([variable, value]) => `export ${variable}=${value}`);
const alternatives = Object.entries(carriers.alternatives).map(([variable, value]) => `${variable}=${value}`);
const firstTwo = [...carriers.emulators.values()].slice(0, 2).map((emulator) => emulator.baseUrl);
process.stdout.write(`numbergate carrier emulators are running. Point numbergate at them with:

export NUMBERGATE_MODE=live
# A fresh key for customer data at rest: keep it to read that database again (README, Data at rest).
export NUMBERGATE_ENCRYPTION_KEY=${randomBytes(32).toString("base64")}
${exports.join("\n")}
${alternatives.length > 0 ? `\nOther credentials the emulators accept (in place of the ones above):\n  ${alternatives.join(" ")}\n` : ""}
Inject faults under any emulator's base URL, for example:
curl -X POST ${firstTwo[0]}/__emulator/faults -d '{"kind":"status","status":503,"times":3}'
curl -X POST ${firstTwo[1] ?? firstTwo[0]}/__emulator/faults -d '{"kind":"hold","times":1}'
curl -X POST ${firstTwo[1] ?? firstTwo[0]}/__emulator/release
curl -X DELETE ${firstTwo[0]}/__emulator/faults
`);

async function stop(): Promise<void> {
  await carriers.stop();
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
