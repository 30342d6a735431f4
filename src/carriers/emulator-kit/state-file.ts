import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The emulator's saved state cannot be read back: the message names the file, never its contents. */
export class EmulatorStateError extends Error {
  constructor(path: string, reason: string) {
    super(`emulator state ${path} ${reason}; delete it to start the emulator afresh`);
    this.name = "EmulatorStateError";
  }
}

/**
 * One emulator's carrier-side state on disk, as JSON. Written whole (to a temporary file, then renamed) so that a
 * crash mid-write leaves the previous state, never half a file; skipped when nothing changed since the last write.
 */
export class EmulatorStateFile {
  #lastWritten: string | undefined;

  constructor(readonly path: string) {}

  /** The saved state, or undefined when there is none yet. */
  load(): unknown {
    if (!existsSync(this.path)) return undefined;
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch {
      throw new EmulatorStateError(this.path, "cannot be read");
    }
    try {
      const state: unknown = JSON.parse(text);
      this.#lastWritten = text;
      return state;
    } catch {
      throw new EmulatorStateError(this.path, "is not valid JSON");
    }
  }

  writeIfChanged(state: unknown): void {
    const text = JSON.stringify(state);
    if (text === this.#lastWritten) return;
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      writeFileSync(temporary, text, { mode: 0o600 });
      renameSync(temporary, this.path);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new EmulatorStateError(this.path, `cannot be written${typeof code === "string" ? ` (${code})` : ""}`);
    }
    this.#lastWritten = text;
  }
}
