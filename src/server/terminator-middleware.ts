import { setMaxListeners } from "node:events";
import type { CallContext, ServerMiddlewareCall } from "nice-grpc";

export interface TerminatorContext {
  /** Marks this call (a long-lived stream) to be ended when the server shuts down. */
  abortOnTerminate(): void;
}

/**
 * Lets long-lived streams (WatchProviderHealth, grpc.health.v1 Watch) end cleanly at shutdown instead of
 * holding the drain open: a call that asked for it gets its context.signal aborted on terminate().
 * nice-grpc-server-health already calls abortOnTerminate() when the context offers it.
 */
export function createTerminator() {
  const terminating = new AbortController();
  // One listener per open stream is the design: thousands of watchers are not a leak.
  setMaxListeners(0, terminating.signal);

  async function* middleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, TerminatorContext>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const controller = new AbortController();
    const abort = () => controller.abort(context.signal.reason);
    context.signal.addEventListener("abort", abort, { once: true });
    let onTerminate: (() => void) | undefined;
    try {
      return yield* call.next(call.request, {
        ...context,
        signal: controller.signal,
        abortOnTerminate() {
          if (onTerminate) return;
          // A plain abort (an AbortError) is what nice-grpc and nice-grpc-server-health treat as a clean end.
          onTerminate = () => controller.abort();
          if (terminating.signal.aborted) onTerminate();
          else terminating.signal.addEventListener("abort", onTerminate, { once: true });
        },
      });
    } finally {
      context.signal.removeEventListener("abort", abort);
      if (onTerminate) terminating.signal.removeEventListener("abort", onTerminate);
    }
  }

  return { middleware, terminate: () => terminating.abort() };
}
