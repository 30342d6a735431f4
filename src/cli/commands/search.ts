import { positiveInteger, requiredString, stringList, stringOption, type CommandDefinition, type OptionValues } from "../command-definition.js";
import type { Contract } from "../contract.js";
import { UsageError } from "../exit-codes.js";
import { enumChoices, formatDuration, formatMoney, parseEnum, shortEnum } from "../formatting.js";
import type { ProviderOutcome, SearchNumbersResponse } from "../messages.js";
import type { Cell } from "../table.js";

const COMMAND = "search";

/** An enum option's value as the contract names it; a word the contract does not know is a usage error. */
function enumOption(contract: Contract, value: string, enumName: string, prefix: string, option: string): string {
  const values = contract.enumValues(enumName);
  const parsed = parseEnum(value, prefix, values);
  if (parsed === undefined) throw new UsageError(`--${option} must be one of ${enumChoices(prefix, values)}, not "${value}"`, COMMAND);
  return parsed;
}

/** The SearchNumbersRequest; the server validates the values, so its field violations reach the operator. */
function searchRequest(options: OptionValues, contract: Contract): object {
  const type = stringOption(options, "type");
  const maxPrice = stringOption(options, "max-price");
  if (maxPrice !== undefined && !/^\d+$/.test(maxPrice)) throw new UsageError(`--max-price is whole US cents, not "${maxPrice}"`, COMMAND);
  return {
    countryCode: requiredString(options, "country", COMMAND),
    areaCode: stringOption(options, "area-code") ?? "",
    city: stringOption(options, "city") ?? "",
    region: stringOption(options, "region") ?? "",
    pattern: stringOption(options, "contains") ?? "",
    features: stringList(options, "feature").map((feature) => enumOption(contract, feature, "numbergate.v1.Capability", "CAPABILITY_", "feature")),
    numberType: type === undefined ? "NUMBER_TYPE_UNSPECIFIED" : enumOption(contract, type, "numbergate.v1.NumberType", "NUMBER_TYPE_", "type"),
    limit: positiveInteger(options, "limit", 0, COMMAND),
    maxMonthlyRateCents: maxPrice === undefined ? null : { value: maxPrice },
    providerIds: stringList(options, "provider"),
  };
}

function outcomeRow(outcome: ProviderOutcome): Cell[] {
  const state = shortEnum(outcome.state, "PROVIDER_OUTCOME_STATE_");
  const notes = [outcome.fromCache ? (outcome.stale ? "stale cache" : "cache") : "", outcome.reason, outcome.detail].filter((note) => note !== "");
  return [outcome.providerId, { text: state, tone: state === "answered" ? "good" : state === "failed" ? "bad" : undefined }, String(outcome.numbersReturned), formatDuration(outcome.duration), notes.join(": ")];
}

export const searchCommand: CommandDefinition = {
  name: COMMAND,
  usage: "search --country CC [--area-code NPA] [--contains DIGITS] [--provider ID...] [--limit N]",
  summary: "numbers for sale, with carrier, price and capabilities, then what each carrier did",
  help: [
    "--country CC        ISO 3166-1 alpha-2 country code (required)",
    "--area-code NPA     area code, digits only",
    "--contains DIGITS   digits the number contains; * marks the start or end (\"*1234\" ends with 1234)",
    "--city NAME         city or town",
    "--region CODE       state or province code, such as NY",
    "--type TYPE         local, toll_free or mobile",
    "--feature CAP       voice, sms, mms or fax every number must have (repeatable)",
    "--max-price CENTS   leave out numbers dearer than this many US cents a month, or of unknown price",
    "--provider ID       only these carriers (repeatable, or comma separated)",
    "--limit N           how many numbers (server default 20, at most 100)",
  ],
  options: {
    country: { type: "string" },
    "area-code": { type: "string" },
    contains: { type: "string" },
    city: { type: "string" },
    region: { type: "string" },
    type: { type: "string" },
    feature: { type: "string", multiple: true },
    "max-price": { type: "string" },
    provider: { type: "string", multiple: true },
    limit: { type: "string" },
  },
  arguments: [],
  async run({ rpc, output, options, contract }) {
    const response = await rpc.unary<SearchNumbersResponse>("SearchNumbers", searchRequest(options, contract));
    if (output.json) return output.document(response);
    if (response.numbers.length === 0) output.lines(["no numbers found"]);
    else
      output.table(
        ["NUMBER", "CARRIER", "TYPE", "LOCALITY", "PRICE", "CAPABILITIES"],
        response.numbers.map((number) => [
          number.phoneNumber,
          number.providerId,
          shortEnum(number.numberType, "NUMBER_TYPE_"),
          [number.locality, number.region].filter((part) => part !== "").join(", "),
          formatMoney(number.monthlyPrice) || "unknown",
          number.capabilities.map((capability) => shortEnum(capability, "CAPABILITY_")).join(","),
        ]),
      );
    output.lines([""]);
    output.table(["CARRIER", "OUTCOME", "NUMBERS", "TIME", "DETAIL"], response.providerOutcomes.map(outcomeRow));
    output.lines(response.warnings.map((warning) => `warning: ${warning}`));
  },
};
