import type { Logger } from "../telemetry/logger.js";

/**
 * What a start-up in progress has started, to be undone in reverse order when a later step fails: a failed
 * start leaves no emulator listening, no temporary directory, no open database and no timer behind.
 */
export class UndoStack {
  readonly #steps: { readonly what: string; readonly undo: () => unknown }[] = [];

  /** `what` completes "could not ..." in the log line if undoing fails. */
  push(what: string, undo: () => unknown): void {
    this.#steps.push({ what, undo });
  }

  /** Runs every undo step, newest first; one that fails is logged and the rest still run. */
  async unwind(logger: Logger): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step.undo();
      } catch (error) {
        logger.warn({ err: error }, `after the failed start-up, could not ${step.what}`);
      }
    }
  }
}
