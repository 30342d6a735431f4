import { renderTable, type Cell } from "./table.js";

/**
 * Where results and errors go. Humans get aligned text, coloured only on a terminal without NO_COLOR; --json
 * gets one JSON document per result (one per line for streams), and errors as JSON on stderr.
 */
export class Output {
  readonly colour: boolean;

  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
    environment: NodeJS.ProcessEnv = process.env,
  ) {
    // https://no-color.org: set and not empty turns colour off.
    this.colour = !json && this.stdout.isTTY === true && (environment["NO_COLOR"] ?? "") === "";
  }

  lines(lines: readonly string[]): void {
    if (lines.length > 0) this.stdout.write(`${lines.join("\n")}\n`);
  }

  table(headers: readonly string[], rows: readonly (readonly Cell[])[]): void {
    this.lines(renderTable(headers, rows, this.colour));
  }

  /** One result as an indented JSON document. */
  document(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One result of a stream, on one line, so a consumer can read it as it arrives. */
  jsonLine(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  errorLines(lines: readonly string[]): void {
    if (lines.length > 0) this.stderr.write(`${lines.join("\n")}\n`);
  }

  errorDocument(value: unknown): void {
    this.stderr.write(`${JSON.stringify(value)}\n`);
  }
}
