import { XMLBuilder, XMLParser } from "fast-xml-parser";

const parser = new XMLParser({
  ignoreAttributes: true,
  // Telephone numbers and codes must stay strings ("0123" is not 123).
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
});

const builder = new XMLBuilder({ ignoreAttributes: true, format: false, suppressEmptyNode: false });

/** Parses XML into plain objects; throws on malformed input. */
export function parseXml(text: string): Record<string, unknown> {
  const parsed: unknown = parser.parse(text, true);
  if (typeof parsed !== "object" || parsed === null) throw new Error("XML document has no root element");
  return parsed as Record<string, unknown>;
}

export function buildXml(document: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${String(builder.build(document))}`;
}

/** A child that may appear once or many times, as an array. */
export function asArray<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined || value === null || value === "") return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

export function childObject(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const child = (value as Record<string, unknown>)[key];
  return typeof child === "object" && child !== null && !Array.isArray(child) ? (child as Record<string, unknown>) : undefined;
}

export function childText(value: unknown, key: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const child = (value as Record<string, unknown>)[key];
  if (typeof child === "string") return child;
  if (typeof child === "number") return String(child);
  return undefined;
}
