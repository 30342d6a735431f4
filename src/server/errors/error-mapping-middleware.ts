import { randomUUID } from "node:crypto";
import { isAbortError } from "abort-controller-x";
import { ServerError, Status, type CallContext, type ServerMiddlewareCall } from "nice-grpc";
import type { Logger } from "../../telemetry/logger.js";
import { callDeadline } from "../call-deadline.js";
import { describeError } from "./describe-error.js";
import { encodeRichStatus } from "./rich-status.js";

/** How close to its deadline a call may be answered DEADLINE_EXCEEDED before grpc-js's own timer does it. */
const DEADLINE_TOLERANCE_MS = 25;

/**
 * The one place where errors leave numbergate: known errors become a status code, our own message and
 * google.rpc details (ErrorInfo, BadRequest, RetryInfo); unknown ones (bugs) are logged with an id and
 * hidden behind INTERNAL, so no stack, carrier body or secret reaches a client.
 */
export function errorMappingMiddleware(logger: Logger) {
  return async function* mapErrors<Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      if (error instanceof ServerError) throw error;
      if (isAbortError(error)) {
        // This call was cancelled, or grpc-js ended it at its deadline: the client already has its status.
        if (context.signal.aborted) throw error;
        // Work this call shared was cancelled by another caller just as this call's own deadline arrives.
        if (callDeadline(context.metadata) - Date.now() <= DEADLINE_TOLERANCE_MS) throw new ServerError(Status.DEADLINE_EXCEEDED, "Deadline exceeded");
        // Otherwise an abort that is not this call's is a bug, not a cancellation: it falls through to INTERNAL.
      }
      const description = describeError(error);
      if (!description) {
        const errorId = randomUUID();
        logger.error({ err: error, errorId, method: call.method.path }, "unexpected error in handler");
        throw richError(context, {
          code: Status.INTERNAL,
          message: `internal error (error id ${errorId}; the server log has the details)`,
          reason: "INTERNAL",
          metadata: { error_id: errorId },
        });
      }
      const level = description.code === Status.INVALID_ARGUMENT || description.code === Status.UNIMPLEMENTED ? "debug" : "warn";
      logger[level]({ method: call.method.path, code: Status[description.code], reason: description.reason, metadata: description.metadata }, description.message);
      throw richError(context, description);
    }
  };
}

function richError(context: CallContext, description: Parameters<typeof encodeRichStatus>[0]): ServerError {
  context.trailer.set("grpc-status-details-bin", encodeRichStatus(description));
  return new ServerError(description.code, description.message);
}
