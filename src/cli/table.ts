/** How a cell may be highlighted on a terminal; plain text elsewhere. */
export type Tone = "good" | "warn" | "bad" | "dim";

export interface StyledCell {
  readonly text: string;
  readonly tone?: Tone;
}

export type Cell = string | StyledCell;

const TONE_CODES: Readonly<Record<Tone | "header", readonly [string, string]>> = {
  good: ["\u001b[32m", "\u001b[39m"],
  warn: ["\u001b[33m", "\u001b[39m"],
  bad: ["\u001b[31m", "\u001b[39m"],
  dim: ["\u001b[2m", "\u001b[22m"],
  header: ["\u001b[1m", "\u001b[22m"],
};

const GAP = "  ";

function textOf(cell: Cell): string {
  return typeof cell === "string" ? cell : cell.text;
}

/**
 * Columns whose widths only grow: rows printed one at a time (a watched stream) line up with those before
 * them. Widths are measured on the plain text, and colour is added after padding, so escapes never skew them.
 */
export class ColumnLayout {
  private readonly widths: number[];

  constructor(
    private readonly headers: readonly string[],
    private readonly colour: boolean,
  ) {
    this.widths = headers.map((header) => header.length);
  }

  /** Widen the columns for rows about to be printed together. */
  fit(rows: readonly (readonly Cell[])[]): void {
    for (const row of rows) row.forEach((cell, index) => (this.widths[index] = Math.max(this.widths[index] ?? 0, textOf(cell).length)));
  }

  header(): string {
    return this.line(this.headers.map((header) => ({ text: header })), "header");
  }

  row(cells: readonly Cell[]): string {
    this.fit([cells]);
    return this.line(cells);
  }

  private line(cells: readonly Cell[], all?: "header"): string {
    const last = cells.length - 1;
    return cells
      .map((cell, index) => {
        // The last column is not padded: no trailing blanks.
        const padded = index === last ? textOf(cell) : textOf(cell).padEnd(this.widths[index] ?? 0);
        const tone = all ?? (typeof cell === "string" ? undefined : cell.tone);
        if (!this.colour || tone === undefined) return padded;
        const [open, close] = TONE_CODES[tone];
        const text = textOf(cell);
        return `${open}${text}${close}${padded.slice(text.length)}`;
      })
      .join(GAP)
      .trimEnd();
  }
}

/** A whole table: a header line and one aligned line per row. */
export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[], colour: boolean): string[] {
  const layout = new ColumnLayout(headers, colour);
  layout.fit(rows);
  return [layout.header(), ...rows.map((row) => layout.row(row))];
}

/** "label:  value" lines with the values aligned, leaving out empty values. */
export function renderFields(fields: readonly (readonly [string, string])[]): string[] {
  const shown = fields.filter(([, value]) => value !== "");
  const width = Math.max(0, ...shown.map(([label]) => label.length + 1));
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value}`);
}
