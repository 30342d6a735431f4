import { isAbortError } from "abort-controller-x";
import { ServerError, Status, type CallContext } from "nice-grpc";
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
