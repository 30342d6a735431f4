/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: anything the format does not
 * allow (a malformed line, a sample before or outside its family's TYPE, a duplicated series, a histogram
 * whose buckets do not add up) throws, naming the line.
 */
export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  help: string | undefined;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: ReadonlySet<string> = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(text: string, where: string): number {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

/** name{a="b",...} value [timestamp] */
function parseSample(line: string, where: string): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error(`${where}: no metric name`);
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(rest);
      if (!label?.[1]) throw new Error(`${where}: bad label at ${JSON.stringify(rest)}`);
      const labelName = label[1];
      rest = rest.slice(label[0].length);
      let value = "";
      for (;;) {
        const char = rest[0];
        if (char === undefined) throw new Error(`${where}: unterminated label value`);
        rest = rest.slice(1);
        if (char === '"') break;
        if (char === "\\") {
          const escaped = rest[0];
          rest = rest.slice(1);
          if (escaped === "n") value += "\n";
          else if (escaped === "\\" || escaped === '"') value += escaped;
          else throw new Error(`${where}: bad escape \\${escaped ?? ""}`);
        } else {
          value += char;
        }
      }
      if (Object.hasOwn(labels, labelName)) throw new Error(`${where}: label ${labelName} twice`);
      labels[labelName] = value;
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) throw new Error(`${where}: expected , or } at ${JSON.stringify(rest)}`);
    }
    rest = rest.slice(1);
  }
  const fields = rest.trim().split(/[ \t]+/);
  if (!/^[ \t]/.test(rest) || fields.length < 1 || fields.length > 2 || fields[0] === "") throw new Error(`${where}: expected a value and an optional timestamp`);
  const value = parseValue(fields[0] ?? "", where);
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) throw new Error(`${where}: bad timestamp`);
  return { name, labels, value };
}

/** The family a sample belongs to: histogram samples carry _bucket, _sum and _count after the family name. */
function familyOf(sampleName: string, families: ReadonlyMap<string, MetricFamily>): MetricFamily | undefined {
  const direct = families.get(sampleName);
  if (direct) return direct;
  const suffix = /_(bucket|sum|count)$/.exec(sampleName);
  const base = suffix ? families.get(sampleName.slice(0, -suffix[0].length)) : undefined;
  return base && (base.type === "histogram" || (base.type === "summary" && suffix?.[1] !== "bucket")) ? base : undefined;
}

function seriesKey(sample: Sample): string {
  return `${sample.name}{${Object.entries(sample.labels).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(",")}}`;
}

function checkHistogram(family: MetricFamily): void {
  const groups = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le: _le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  for (const [key, samples] of groups) {
    const buckets = samples.filter((sample) => sample.name.endsWith("_bucket"));
    for (const bucket of buckets) if (bucket.labels["le"] === undefined) throw new Error(`${family.name}${key}: bucket without le`);
    const ordered = buckets.map((bucket) => ({ le: parseValue(bucket.labels["le"] ?? "", family.name), value: bucket.value })).sort((a, b) => a.le - b.le);
    for (let index = 1; index < ordered.length; index += 1) {
      if ((ordered[index]?.value ?? 0) < (ordered[index - 1]?.value ?? 0)) throw new Error(`${family.name}${key}: buckets not cumulative`);
    }
    const infinite = ordered.at(-1);
    const count = samples.find((sample) => sample.name.endsWith("_count"));
    if (!infinite || infinite.le !== Number.POSITIVE_INFINITY) throw new Error(`${family.name}${key}: no +Inf bucket`);
    if (!count || count.value !== infinite.value) throw new Error(`${family.name}${key}: _count is not the +Inf bucket`);
    if (!samples.some((sample) => sample.name.endsWith("_sum"))) throw new Error(`${family.name}${key}: no _sum`);
  }
}

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const seen = new Set<string>();
  const typed = new Set<string>();
  if (text !== "" && !text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  text.split("\n").forEach((raw, index) => {
    const where = `line ${index + 1}`;
    const line = raw.trim();
    if (line === "") return;
    if (line.startsWith("#")) {
      const directive = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (!directive) return; // any other comment (the OpenTelemetry exporter's "# UNIT" among them)
      const [, kind, name = "", rest = ""] = directive;
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) throw new Error(`${where}: bad type ${rest}`);
        const existing = families.get(name);
        if (typed.has(name) || (existing?.samples.length ?? 0) > 0) throw new Error(`${where}: TYPE of ${name} twice or after its samples`);
        typed.add(name);
        families.set(name, { name, type: rest as MetricType, help: existing?.help, samples: [] });
      } else {
        const family = families.get(name);
        if (family?.help !== undefined) throw new Error(`${where}: HELP of ${name} twice`);
        if (family) family.help = rest;
        else families.set(name, { name, type: "untyped", help: rest, samples: [] });
      }
      return;
    }
    const sample = parseSample(line, where);
    for (const label of Object.keys(sample.labels)) if (!LABEL_NAME.test(label)) throw new Error(`${where}: bad label name ${label}`);
    const family = familyOf(sample.name, families);
    if (!family) throw new Error(`${where}: sample ${sample.name} without its TYPE`);
    const key = seriesKey(sample);
    if (seen.has(key)) throw new Error(`${where}: series ${key} twice`);
    seen.add(key);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}

/** The samples named `name` whose labels include `labels`. */
export function samplesOf(families: ReadonlyMap<string, MetricFamily>, name: string, labels: Readonly<Record<string, string>> = {}): Sample[] {
  return [...families.values()]
    .flatMap((family) => family.samples)
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}
