import { readFile } from "node:fs/promises";
import { ServerCredentials } from "@grpc/grpc-js";
import type { AccessSettings } from "../config/config-types.js";
import { AccessControl } from "../server/access/access-control.js";
import type { Logger } from "../telemetry/logger.js";
import { StartupError } from "./startup-failure.js";

/** Who may call, and over what: the tokens file read and watched, and the TLS credentials of the gRPC port. */
export interface StartedAccess {
  readonly control: AccessControl;
  readonly credentials: ServerCredentials | undefined;
}

/**
 * Reads the tokens file and the TLS files. A file that cannot be used stops start-up with a line naming it
 * (never its content). Certificates are read once: a new certificate takes a (rolling) restart.
 */
export async function startAccess(settings: AccessSettings, logger: Logger): Promise<StartedAccess> {
  const control = await AccessControl.start(settings, logger).catch((error: unknown) => {
    throw new StartupError(error instanceof Error ? error.message : String(error), { cause: error });
  });
  try {
    return { control, credentials: settings.tls && (await tlsCredentials(settings.tls)) };
  } catch (error) {
    control.close();
    throw error;
  }
}

async function tlsCredentials(tls: NonNullable<AccessSettings["tls"]>): Promise<ServerCredentials> {
  const read = (variable: string, path: string) =>
    readFile(path).catch((error: unknown) => {
      throw new StartupError(`cannot read ${variable} ${path}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`, { cause: error });
    });
  const [certChain, privateKey, clientCa] = await Promise.all([
    read("NUMBERGATE_TLS_CERT", tls.certFile),
    read("NUMBERGATE_TLS_KEY", tls.keyFile),
    tls.clientCaFile === undefined ? Promise.resolve(null) : read("NUMBERGATE_TLS_CLIENT_CA", tls.clientCaFile),
  ]);
  try {
    // With a client CA every client must present a certificate it signed (mTLS); otherwise TLS alone.
    return ServerCredentials.createSsl(clientCa, [{ cert_chain: certChain, private_key: privateKey }], clientCa !== null);
  } catch (error) {
    throw new StartupError(`NUMBERGATE_TLS_CERT / NUMBERGATE_TLS_KEY / NUMBERGATE_TLS_CLIENT_CA do not make TLS credentials: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
