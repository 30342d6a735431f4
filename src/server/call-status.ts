import { isAbortError } from "abort-controller-x";
import { ServerError, Status, type CallContext, type ServerMiddlewareCall } from "nice-grpc";
import { callDeadline } from "./call-deadline.js";

/**
 * The status a call ended with, as the client sees it, for the middlewares outside the error mapping (metrics,
 * traces, the access log): a ServerError's code; a call whose client left or whose deadline passed; anything else
 * is what the error mapping turns into INTERNAL, which only a middleware outside it sees as unknown.
 */
export function callStatus(error: unknown, context: CallContext): Status {
  if (error instanceof ServerError) return error.code;
  if (isAbortError(error) || context.signal.aborted) return Date.now() >= callDeadline(context.metadata) ? Status.DEADLINE_EXCEEDED : Status.CANCELLED;
  return Status.UNKNOWN;
}

/** "/numbergate.v1.TelecomService/SearchNumbers" as its service and method. */
export function splitMethodPath(path: string): { readonly service: string; readonly method: string } {
  const [, service = "", method = ""] = path.split("/");
  return { service, method };
}

/**
 * Runs the rest of the call and hands `settle` the status it ended with, however it ended: OK, an error's status, or
 * CANCELLED when the client went away (between two stream messages the generator is just closed early).
 */
export async function* withCallStatus<Request, Response>(
  call: ServerMiddlewareCall<Request, Response>,
  context: CallContext,
  settle: (code: Status) => void,
): AsyncGenerator<Response, Response | void, undefined> {
  let code: Status = Status.CANCELLED;
  try {
    const result = yield* call.next(call.request, context);
    // A stream that stops because its client went away ends without an error: the client saw CANCELLED.
    code = context.signal.aborted ? callStatus(undefined, context) : Status.OK;
    return result;
  } catch (error) {
    code = callStatus(error, context);
    throw error;
  } finally {
    settle(code);
  }
}
