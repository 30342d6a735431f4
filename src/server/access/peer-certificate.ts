import { ServerInterceptingCall, type ServerInterceptor } from "@grpc/grpc-js";
import type { Metadata } from "nice-grpc";

/**
 * Where the transport's facts about a caller travel from grpc-js to nice-grpc middleware, which sees metadata
 * but not the TLS session. Both keys are removed from whatever a client sends, so a client can never claim them.
 */
const PEER_CN_KEY = "numbergate-internal-peer-cn";
export const CALLER_KEY = "numbergate-internal-caller";

/** The common name of the client certificate TLS verified for this call; undefined without one. */
export function peerCertificateCn(metadata: Metadata): string | undefined {
  const value = metadata.get(PEER_CN_KEY);
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** grpc-js server interceptor: strips the internal keys, then records the verified client certificate's CN. */
export const peerCertificateInterceptor: ServerInterceptor = (_method, call) =>
  new ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, nextMetadata) {
          metadata.remove(PEER_CN_KEY);
          metadata.remove(CALLER_KEY);
          const context = call.getAuthContext();
          // Only a certificate the handshake verified: with rejectUnauthorized the session fails otherwise.
          const subject = context.transportSecurityType === "ssl" ? context.sslPeerCertificate?.subject : undefined;
          const cn = subject?.CN;
          if (typeof cn === "string" && cn !== "") metadata.set(PEER_CN_KEY, cn);
          nextMetadata(metadata);
        },
      });
    },
  });
