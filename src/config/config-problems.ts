/**
 * A configuration problem, one line per bad variable, each naming it; never contains a secret. `message` is the
 * lines joined with newlines, so a caller that prints it prints every problem at once.
 */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const lines = typeof problems === "string" ? [problems] : [...problems];
    super(lines.join("\n"));
    this.name = "ConfigError";
    this.problems = lines;
  }
}

/**
 * Collects every problem of an environment, so that an operator fixes it in one pass instead of one variable per
 * restart. A variable already reported (say, malformed) is not reported again by a later check that reads it
 * (say, as missing): one cause, one line.
 */
export class ConfigProblems {
  readonly #lines: string[] = [];
  readonly #reported = new Set<string>();

  /** Records `line` about `variables`, unless one of them already has a problem. */
  add(variables: readonly string[], line: string): void {
    if (variables.some((variable) => this.#reported.has(variable))) return;
    for (const variable of variables) this.#reported.add(variable);
    this.#lines.push(line);
  }

  has(variable: string): boolean {
    return this.#reported.has(variable);
  }

  throwIfAny(): void {
    if (this.#lines.length > 0) throw new ConfigError(this.#lines);
  }
}
