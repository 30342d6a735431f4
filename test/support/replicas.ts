import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import type { TestDatabase } from "./databases.js";
import { startHarness, type Harness } from "./harness.js";

export interface Replicas {
  readonly a: Harness;
  readonly b: Harness;
  readonly carriers: SandboxCarriers;
  /** Closes whichever replicas are still open, the carriers and the shared data directory. */
  close(): Promise<void>;
}

/**
 * Two numbergate replicas in this process sharing one database (SQLite: one file, WAL and busy timeout, as two
 * processes on one host would) and one set of carriers.
 */
export async function startReplicas(database: TestDatabase, environment: Record<string, string> = {}): Promise<Replicas> {
  const carriers = await startSandboxCarriers();
  const databaseUrl = await database.fresh();
  const sharedDataDir = await mkdtemp(join(tmpdir(), "numbergate-replicas-"));
  const started: Harness[] = [];
  const close = async () => {
    for (const replica of started.splice(0)) await replica.close();
    await carriers.stop();
    await rm(sharedDataDir, { recursive: true, force: true });
  };
  try {
    for (const name of ["replica-a", "replica-b"]) {
      started.push(await startHarness({ ...environment, DATABASE_URL: databaseUrl, NUMBERGATE_DATA_DIR: sharedDataDir, NUMBERGATE_REPLICA_ID: name }, { sandbox: carriers }));
    }
  } catch (error) {
    await close();
    throw error;
  }
  const [a, b] = started as [Harness, Harness];
  return { a, b, carriers, close };
}
