#!/usr/bin/env node
// The operator CLI: registers tsx so the TypeScript under src/cli/ runs as it is, from any working directory.
import { register } from "tsx/esm/api";

register();
await import(new URL("../src/cli/main.ts", import.meta.url).href);
