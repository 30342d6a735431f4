import { afterEach, describe, expect, it } from "vitest";
import { DATABASES } from "../support/databases.js";
import { startReplicas, type Replicas } from "../support/replicas.js";
import { ON_DEMAND, auditRows, buyAtTwilio, forSaleAt, summary, tnOf } from "./inventory-support.js";

/** Two replicas on one database reconcile the same carriers at the same moment. */
describe.each(DATABASES)("inventory reconciliation on two replicas sharing one $name database", (database) => {
  let replicas: Replicas | undefined;
  afterEach(async () => {
    await replicas?.close();
    replicas = undefined;
  });

  it("records each drift once however many runs find it at once", async () => {
    replicas = await startReplicas(database, ON_DEMAND);
    const { a, b, carriers } = replicas;
    const [owned = "", elsewhere = ""] = await forSaleAt(a, "twilio", "206", 2);
    await buyAtTwilio(a, owned);
    carriers.twilio.owned.delete(owned);
    carriers.twilio.addOwned(elsewhere);
    const [atBandwidth = ""] = await forSaleAt(a, "bandwidth", "305", 1);
    carriers.bandwidth.numbers.owned.add(tnOf(atBandwidth));
    const expected = [`bandwidth ${atBandwidth} UNKNOWN_TO_NUMBERGATE`, `twilio ${elsewhere} UNKNOWN_TO_NUMBERGATE`, `twilio ${owned} MISSING_AT_CARRIER`].sort();

    const answers = await Promise.all([a, b, a, b, a, b].map((replica) => replica.client.reconcileInventory({})));
    const ours = (drifts: (typeof answers)[number]["drifts"]) => drifts.filter((drift) => drift.providerId === "twilio" || drift.providerId === "bandwidth");
    for (const answer of answers) expect(summary(ours(answer.drifts))).toEqual(expected);
    const driftIds = new Set(answers.flatMap((answer) => ours(answer.drifts).map((drift) => drift.driftId)));
    expect(driftIds.size).toBe(3);

    const listed = ours((await b.client.listInventoryDrifts({ pageSize: 500 })).drifts);
    expect(summary(listed)).toEqual(expected);
    expect(new Set(listed.map((drift) => drift.driftId))).toEqual(driftIds);
    const detected = await auditRows(a, "inventory.drift");
    expect(detected.map((row) => row.resourceId).sort()).toEqual([...driftIds].sort());
  });
});
