import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// CI runs `buf breaking proto --against '.git#ref=HEAD~1,subdir=proto'`. A check that passes is only worth
// something if it can fail: here buf compares a copy of the contract against the checkout, once untouched
// (must pass) and once with a field renumbered (must fail and name the field).
const REPOSITORY = fileURLToPath(new URL("../..", import.meta.url));
const BUF = join(REPOSITORY, "node_modules", ".bin", "buf");
const NUMBERS_PROTO = join("proto", "numbergate", "v1", "numbers.proto");
// buf's exit code when the check ran and found breaking changes (1 would mean it could not run at all).
const BREAKING_FOUND = 100;

interface BufResult {
  readonly code: number;
  readonly output: string;
}

/** The workspace buf.yaml and both of its modules, as buf needs them to build the contract. */
async function copyContract(into: string): Promise<void> {
  await cp(join(REPOSITORY, "buf.yaml"), join(into, "buf.yaml"));
  await cp(join(REPOSITORY, "proto"), join(into, "proto"), { recursive: true });
  await cp(join(REPOSITORY, "third_party", "proto"), join(into, "third_party", "proto"), { recursive: true });
}

function bufBreaking(input: string, against: string): Promise<BufResult> {
  return new Promise((resolve) => {
    // Asynchronous, with the exit code kept: a non-zero exit is an answer here, not an exception.
    execFile(BUF, ["breaking", input, "--against", against], { cwd: REPOSITORY, encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, output: stdout + stderr });
    });
  });
}

/** Runs `check` on a fresh copy of the contract in its own temporary directory, removed afterwards. */
async function withContractCopy<T>(check: (copy: string) => Promise<T>): Promise<T> {
  const copy = await mkdtemp(join(tmpdir(), "numbergate-buf-breaking-"));
  try {
    await copyContract(copy);
    return await check(copy);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

describe("buf breaking against the checkout's contract", () => {
  it("passes on an untouched copy", async () => {
    const result = await withContractCopy((copy) => bufBreaking(copy, REPOSITORY));
    expect(result).toEqual({ code: 0, output: "" });
  }, 60_000);

  it("fails when SearchNumbersRequest.country_code is renumbered, naming the field", async () => {
    const result = await withContractCopy(async (copy) => {
      const file = join(copy, NUMBERS_PROTO);
      const original = await readFile(file, "utf8");
      const planted = original.replace(/(message SearchNumbersRequest \{[^}]*?string country_code = )1;/, "$199;");
      // The plant must land, or this test would prove nothing.
      expect(planted).not.toBe(original);
      await writeFile(file, planted);
      return bufBreaking(copy, REPOSITORY);
    });
    expect(result.code, result.output).toBe(BREAKING_FOUND);
    expect(result.output).toContain('Previously present field "1" with name "country_code" on message "SearchNumbersRequest" was deleted.');
  }, 60_000);
});
