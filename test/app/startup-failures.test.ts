import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DATABASES, POSTGRES_AVAILABLE } from "../support/databases.js";
import { MAIN, exitOf, launch, stopChildren } from "../support/processes.js";

// Real processes (tsx compiles at start): generous, but still bounded.
vi.setConfig({ testTimeout: 60_000 });

const servers: Server[] = [];
const temporaryDirs: string[] = [];
afterEach(async () => {
  stopChildren();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A port something else is listening on. */
async function occupiedPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

/** A port nothing is listening on. */
async function closedPort(): Promise<number> {
  const port = await occupiedPort();
  const server = servers.pop();
  await new Promise((resolve) => server?.close(resolve));
  return port;
}

/** A private TMPDIR for the child, so what it leaves behind can be counted without other tests' directories. */
function privateTmpdir(): string {
  const dir = mkdtempSync(join(tmpdir(), "numbergate-startup-tmp-"));
  temporaryDirs.push(dir);
  return dir;
}

function numbergateDirsIn(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith("numbergate-"));
}

/**
 * Each failure must be one line on stderr, a non-zero exit, and nothing left behind. The process is not killed
 * by the test and main.ts does not force an exit: it ends on its own only once every emulator, timer, database
 * pool and socket that start-up opened is closed again (anything left open would first make it print a second
 * line, after 5 s).
 */
describe("npm start refuses to start, in one line, and cleans up", () => {
  it("when the gRPC port is taken (sandbox: emulators and the throwaway data directory were already made)", async () => {
    const port = await occupiedPort();
    const tmp = privateTmpdir();
    const child = launch(MAIN, { NUMBERGATE_GRPC_ADDR: `127.0.0.1:${port}`, NUMBERGATE_DATA_DIR: undefined, TMPDIR: tmp });
    const { code, stderr } = await exitOf(child);
    expect(stderr).toBe(
      `numbergate: cannot listen on 127.0.0.1:${port}: the address is already in use (another numbergate or another program is listening there); set NUMBERGATE_GRPC_ADDR to a free host:port\n`,
    );
    expect(code).toBe(1);
    // The sandbox made its throwaway directory before it tried to listen; it is gone again.
    expect(child.stdout).toMatch(/numbergate-sandbox-/);
    expect(numbergateDirsIn(tmp)).toEqual([]);
  });

  it.skipIf(!POSTGRES_AVAILABLE)("when the gRPC port is taken with DATABASE_URL: the PostgreSQL pool is closed, so the process ends on its own (needs TEST_DATABASE_URL)", async () => {
    const port = await occupiedPort();
    const databaseUrl = await DATABASES.find((database) => database.kind === "postgres")?.fresh();
    const child = launch(MAIN, { NUMBERGATE_GRPC_ADDR: `127.0.0.1:${port}`, DATABASE_URL: databaseUrl });
    const { code, stderr } = await exitOf(child);
    // An open pool keeps its idle connection (and the process) alive for 10 s: that would add the second line.
    expect(stderr).toMatch(new RegExp(`^numbergate: cannot listen on 127\\.0\\.0\\.1:${port}: [^\\n]+\\n$`));
    expect(code).toBe(1);
  });

  it("when DATABASE_URL is malformed, naming the variable and not the password", async () => {
    const child = launch(MAIN, { NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", DATABASE_URL: "postgres://numbergate:hunter2-db-secret@db.internal:99999/numbergate" });
    const { code, stderr } = await exitOf(child);
    expect(stderr).toMatch(/^numbergate: configuration error: DATABASE_URL is not a valid URL [^\n]*\n$/);
    expect(stderr + child.stdout).not.toContain("hunter2");
    expect(code).toBe(2);
  });

  it("when the database cannot be reached, naming which one and not the password", async () => {
    const port = await closedPort();
    const child = launch(MAIN, { NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", DATABASE_URL: `postgres://numbergate:hunter2-db-secret@127.0.0.1:${port}/orders` });
    const { code, stderr } = await exitOf(child);
    expect(stderr).toBe(
      `numbergate: cannot open the PostgreSQL database orders on 127.0.0.1:${port} as user numbergate: connection refused (is PostgreSQL running and listening on that host and port?)\n`,
    );
    expect(stderr + child.stdout).not.toContain("hunter2");
    expect(code).toBe(1);
  });

  it("when the SQLite data directory cannot be created", async () => {
    // A directory below a regular file can never be created, whoever runs the test (root included).
    const file = join(privateTmpdir(), "a-file");
    writeFileSync(file, "");
    const child = launch(MAIN, { NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_DATA_DIR: join(file, "data") });
    const { code, stderr } = await exitOf(child);
    expect(stderr).toBe(`numbergate: cannot open the SQLite database ${join(file, "data", "numbergate.sqlite")}: ENOTDIR: not a directory, mkdir '${join(file, "data")}'\n`);
    expect(code).toBe(1);
  });
});
