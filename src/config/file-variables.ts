import { readFileSync } from "node:fs";
import type { RawEnvironment } from "../carriers/kit/carrier-definition.js";
import { CARRIERS } from "../carriers/registry.js";
import type { ConfigProblems } from "./config-problems.js";

/** numbergate's own secrets; every carrier variable (credentials, account ids, URLs) may come from a file too. */
const CORE_SECRET_VARIABLES = ["DATABASE_URL", "NUMBERGATE_ENCRYPTION_KEY", "NUMBERGATE_ENCRYPTION_PREVIOUS_KEYS"];

/** The variables that may be given as `<VAR>_FILE`, the path of a file holding the value. */
export const FILE_VARIABLES: readonly string[] = [...CORE_SECRET_VARIABLES, ...CARRIERS.flatMap((carrier) => Object.keys(carrier.variables))];

/**
 * The environment with every `<VAR>_FILE` replaced by `<VAR>` holding the file's content (the container-secrets
 * convention: Docker and Kubernetes mount secrets as files), trailing newlines removed. Read again at each
 * reload, so a rotated secret file takes effect on SIGHUP. Setting both `<VAR>` and `<VAR>_FILE`, or naming a
 * file that cannot be read, is a problem naming the variable; the file's content is never printed.
 */
export function withFileVariables(environment: RawEnvironment, problems: ConfigProblems): RawEnvironment {
  const resolved: Record<string, string | undefined> = { ...environment };
  for (const variable of FILE_VARIABLES) {
    const fileVariable = `${variable}_FILE`;
    const path = environment[fileVariable]?.trim();
    if (path === undefined || path === "") continue;
    if ((environment[variable] ?? "").trim() !== "") {
      problems.add([variable, fileVariable], `${variable} and ${fileVariable} are both set: give the value one way`);
      continue;
    }
    try {
      resolved[variable] = readFileSync(path, "utf8").replace(/[\r\n]+$/, "");
    } catch (error) {
      problems.add([fileVariable], `${fileVariable} names a file that cannot be read (${path}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
    }
  }
  return resolved;
}
