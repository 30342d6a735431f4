import {
  Metadata as GrpcMetadata,
  ServerInterceptingCall,
  status as GrpcStatus,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
} from "@grpc/grpc-js";
import type { Metadata } from "nice-grpc";

/**
 * Where the call's deadline travels from grpc-js to nice-grpc handlers. grpc-js reads the client's
 * grpc-timeout header and removes it from the metadata, and nice-grpc's CallContext has no deadline, so the
 * interceptor below writes it here (always overwriting what a client might send under this name).
 */
const DEADLINE_KEY = "numbergate-internal-deadline-ms";

/** The call's deadline in epoch milliseconds, Infinity when the client set none. */
export function callDeadline(metadata: Metadata): number {
  const value = metadata.get(DEADLINE_KEY);
  const deadline = typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isFinite(deadline) ? deadline : Number.POSITIVE_INFINITY;
}

function deadlineMs(call: ServerInterceptingCallInterface): number {
  const deadline = call.getDeadline();
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

/**
 * grpc-js server interceptor: hands the deadline to handlers (see callDeadline), and makes sure a call whose
 * deadline has passed ends DEADLINE_EXCEEDED, whatever the handler ended with. grpc-js ends a call itself when
 * its deadline timer fires; this covers an answer that races that timer (a carrier timeout or a cancelled
 * shared call settling at the same moment), which would otherwise reach the client as UNAVAILABLE or CANCELLED.
 */
export const deadlineInterceptor: ServerInterceptor = (_method, call) =>
  new ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, nextMetadata) {
          metadata.remove(DEADLINE_KEY);
          const deadline = deadlineMs(call);
          if (Number.isFinite(deadline)) metadata.set(DEADLINE_KEY, String(deadline));
          nextMetadata(metadata);
        },
      });
    },
    sendStatus(status, nextStatus) {
      const passed = status.code !== GrpcStatus.OK && Date.now() >= deadlineMs(call);
      // The details trailer describes the answer being replaced, so it goes too.
      nextStatus(passed ? { code: GrpcStatus.DEADLINE_EXCEEDED, details: "Deadline exceeded", metadata: new GrpcMetadata() } : status);
    },
  });
