/** The CLI's exit codes, part of its interface: scripts switch on them. */
export const ExitCode = {
  /** The command did what it was asked. */
  SUCCESS: 0,
  /** The server answered with an error status. */
  SERVER_ERROR: 1,
  /** The command line was wrong: unknown command or option, missing or malformed argument. */
  USAGE: 2,
  /** The server could not be reached: UNAVAILABLE before any answer, or the deadline ran out while connecting. */
  UNREACHABLE: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A command line the CLI cannot run; main prints the message and the command's usage line and exits with 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage line to print; undefined for the global one. */
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}
