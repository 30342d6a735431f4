import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

export type Comparison = ">=" | "<=" | "<" | "==";

export interface Goal {
  /** What the goal is on: the ratio value/baseline, or the value itself. */
  readonly on: "ratio" | "value";
  readonly op: Comparison;
  readonly target: number;
}

export interface Figure {
  readonly name: string;
  /** null: not measured (note says why). */
  readonly value: number | null;
  readonly baseline: number | null;
  readonly goal: Goal | null;
  readonly unit: string;
  readonly note?: string;
}

export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly loadAverageAtStart: readonly number[];
  readonly mode: "full" | "quick";
  readonly date: string;
}

export function describeMachine(mode: "full" | "quick"): Machine {
  const processors = cpus();
  return {
    cores: processors.length,
    cpuModel: processors[0]?.model.trim() ?? "unknown",
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((load) => Number(load.toFixed(2))),
    mode,
    date: new Date().toISOString(),
  };
}

export function notMeasured(name: string, unit: string, goal: Goal | null, why: string): Figure {
  return { name, value: null, baseline: null, goal, unit, note: `not measured: ${why}` };
}

function ratioOf(figure: Figure): number | null {
  if (figure.value === null || figure.baseline === null || figure.baseline === 0) return null;
  return figure.value / figure.baseline;
}

function passes(figure: Figure): boolean | null {
  const subject = figure.goal?.on === "value" ? figure.value : ratioOf(figure);
  if (figure.goal === null || subject === null || !Number.isFinite(subject)) return null;
  const { op, target } = figure.goal;
  return op === ">=" ? subject >= target : op === "<=" ? subject <= target : op === "<" ? subject < target : subject === target;
}

const goalText = (goal: Goal | null): string => (goal === null ? "-" : `${goal.on} ${goal.op} ${goal.target}`);

function number(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "-";
  const magnitude = Math.abs(value);
  return magnitude >= 1000 ? value.toFixed(0) : magnitude >= 10 ? value.toFixed(1) : value.toFixed(magnitude >= 1 ? 2 : 3);
}

/** The one table: figure, value, baseline, ratio, goal, unit, pass/fail, note. */
export function formatTable(machine: Machine, figures: readonly Figure[]): string {
  const header = ["figure", "value", "baseline", "ratio", "goal", "unit", "result", "note"];
  const rows = figures.map((figure) => {
    const verdict = passes(figure);
    return [figure.name, number(figure.value), number(figure.baseline), number(ratioOf(figure)), goalText(figure.goal), figure.unit, verdict === null ? (figure.value === null ? "n/m" : "-") : verdict ? "pass" : "FAIL", figure.note ?? ""];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join("  ").trimEnd();
  const machineLine = `machine: ${machine.cores} cores, ${machine.cpuModel}, node ${machine.node}, ${machine.platform}, load average at start ${machine.loadAverageAtStart.join(" ")} (${machine.mode} run, ${machine.date})`;
  return [machineLine, "", line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

/** bench/results/latest.json: {"machine": {...}, "figures": {NAME: {value, baseline, ratio, goal, unit}}}. */
export function writeResults(path: URL, machine: Machine, figures: readonly Figure[]): void {
  const round = (value: number | null) => (value === null || !Number.isFinite(value) ? null : Number(value.toPrecision(4)));
  const byName = Object.fromEntries(
    figures.map((figure) => {
      const verdict = passes(figure);
      return [figure.name, { value: round(figure.value), baseline: round(figure.baseline), ratio: round(ratioOf(figure)), goal: figure.goal === null ? null : goalText(figure.goal), unit: figure.unit, pass: verdict, ...(figure.note ? { note: figure.note } : {}) }];
    }),
  );
  mkdirSync(new URL(".", path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ machine, figures: byName }, null, 2)}\n`);
}
