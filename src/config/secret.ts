import { inspect } from "node:util";

/**
 * A credential that refuses to be printed: JSON, string conversion and util.inspect all show
 * "[redacted]", so a secret cannot reach a log line or an error by accident. Call reveal() at the wire.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return "[redacted]";
  }

  toJSON(): string {
    return "[redacted]";
  }

  [inspect.custom](): string {
    return "[redacted]";
  }
}
