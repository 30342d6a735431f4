import { openStore } from "../../src/store/store.js";

/** Opens (and so migrates) the store in NUMBERGATE_DATA_DIR or DATABASE_URL, then closes it: one process of a race. */
const store = await openStore({ databaseUrl: process.env["DATABASE_URL"], dataDir: process.env["NUMBERGATE_DATA_DIR"] ?? "" });
await store.close();
process.stdout.write("opened\n");
