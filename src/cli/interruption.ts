const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Which signal stopped the CLI, for the conventional 128 + number exit code of an interrupted call. */
export const SIGNAL_EXIT_CODES: Readonly<Record<(typeof SIGNALS)[number], number>> = { SIGINT: 130, SIGTERM: 143 };

export interface Interruption {
  readonly signal: AbortSignal;
  /** The signal received, once one was. */
  received(): (typeof SIGNALS)[number] | undefined;
  dispose(): void;
}

/**
 * Turns Ctrl-C and SIGTERM into an abort: streams and polls end cleanly and the CLI exits by itself. A second
 * signal exits at once, for a server that does not let go.
 */
export function listenForInterruption(): Interruption {
  const controller = new AbortController();
  let received: (typeof SIGNALS)[number] | undefined;
  const onSignal = (name: (typeof SIGNALS)[number]) => {
    if (received !== undefined) process.exit(SIGNAL_EXIT_CODES[name]);
    received = name;
    controller.abort();
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      for (const name of SIGNALS) process.off(name, onSignal);
    },
  };
}
