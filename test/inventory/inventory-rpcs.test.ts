import { Status } from "nice-grpc";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { InventoryDriftState } from "../../generated/numbergate/v1/providers.js";
import { DATABASES } from "../support/databases.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";
import { AS_ADMIN, ON_DEMAND, auditRows, forSaleAt, summary, tnOf } from "./inventory-support.js";

/** ReconcileInventory, ListInventoryDrifts and ResolveInventoryDrift over real gRPC: what they refuse, and how. */

const { ADOPTED, MARKED_RELEASED, OPEN, GONE } = {
  ADOPTED: InventoryDriftState.INVENTORY_DRIFT_STATE_ADOPTED,
  MARKED_RELEASED: InventoryDriftState.INVENTORY_DRIFT_STATE_MARKED_RELEASED,
  OPEN: InventoryDriftState.INVENTORY_DRIFT_STATE_OPEN,
  GONE: InventoryDriftState.INVENTORY_DRIFT_STATE_GONE,
};

function fieldsOf(error: Awaited<ReturnType<typeof captureRpcError>>): string[] {
  return error.rich?.badRequest?.fieldViolations.map((violation) => violation.field) ?? [];
}

describe("invalid requests name every bad field in google.rpc.BadRequest", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(ON_DEMAND);
  });
  afterAll(async () => {
    await harness.close();
  });

  it("ReconcileInventory with a provider_id that names no carrier: UNKNOWN_PROVIDER", async () => {
    const error = await captureRpcError((options) => harness.client.reconcileInventory({ providerId: "no-such-carrier" }, options));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.rich?.errorInfo?.reason).toBe("UNKNOWN_PROVIDER");
    expect(fieldsOf(error)).toEqual(["provider_id"]);
  });

  it("ListInventoryDrifts: page_size, page_token, state and provider_id at once", async () => {
    const error = await captureRpcError((options) => harness.client.listInventoryDrifts({ pageSize: -1, pageToken: "not-ours", state: 42 as InventoryDriftState, providerId: "no-such-carrier" }, options));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.rich?.errorInfo?.reason).toBe("INVALID_FIELD");
    expect(fieldsOf(error).sort()).toEqual(["page_size", "page_token", "provider_id", "state"]);
  });

  it("ResolveInventoryDrift without drift_id, resolution or note", async () => {
    const error = await captureRpcError((options) => harness.client.resolveInventoryDrift({ driftId: "", resolution: InventoryDriftState.INVENTORY_DRIFT_STATE_UNSPECIFIED, note: "  " }, options));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(fieldsOf(error)).toEqual(["drift_id", "resolution", "note"]);
  });

  it.each([
    ["a drift_id numbergate never issues", { driftId: "drift 7", resolution: ADOPTED, note: "why" }, ["drift_id"]],
    ["OPEN as a resolution", { driftId: "dft_x", resolution: OPEN, note: "why" }, ["resolution"]],
    ["GONE as a resolution", { driftId: "dft_x", resolution: GONE, note: "why" }, ["resolution"]],
    ["a note with control characters", { driftId: "dft_x", resolution: ADOPTED, note: "why\u0007" }, ["note"]],
    ["a note over 1000 characters", { driftId: "dft_x", resolution: ADOPTED, note: "x".repeat(1001) }, ["note"]],
  ])("ResolveInventoryDrift with %s", async (_case, request, fields) => {
    const error = await captureRpcError((options) => harness.client.resolveInventoryDrift(request, options));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.rich?.errorInfo?.reason).toBe("INVALID_FIELD");
    expect(fieldsOf(error)).toEqual(fields);
  });

  it("a well-formed drift_id that names no drift: NOT_FOUND, RESOURCE_NOT_FOUND", async () => {
    const error = await captureRpcError((options) => harness.client.resolveInventoryDrift({ driftId: "dft_doesNotExist", resolution: ADOPTED, note: "why" }, options));
    expect(error.code).toBe(Status.NOT_FOUND);
    expect(error.rich?.errorInfo?.reason).toBe("RESOURCE_NOT_FOUND");
    expect(fieldsOf(error)).toEqual(["drift_id"]);
  });
});

describe.each(DATABASES)("resolving drifts over gRPC on $name", (database) => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it("refuses a resolution that does not fit the drift, answers a repeated one as done, and never adopts a number twice", async () => {
    harness = await startHarness({ ...ON_DEMAND, DATABASE_URL: await database.fresh() });
    const started = harness;
    // The same number shows up on both carriers' accounts: two drifts of one number.
    const [number = ""] = await forSaleAt(started, "twilio", "202", 1);
    started.sandbox.twilio.addOwned(number);
    started.sandbox.bandwidth.numbers.owned.add(tnOf(number));
    const { drifts } = await started.client.reconcileInventory({}, AS_ADMIN);
    expect(summary(drifts.filter((drift) => drift.phoneNumber === number))).toEqual([`bandwidth ${number} UNKNOWN_TO_NUMBERGATE`, `twilio ${number} UNKNOWN_TO_NUMBERGATE`]);
    const atTwilio = drifts.find((drift) => drift.providerId === "twilio")?.driftId ?? "";
    const atBandwidth = drifts.find((drift) => drift.providerId === "bandwidth")?.driftId ?? "";

    const wrong = await captureRpcError((options) => started.client.resolveInventoryDrift({ driftId: atTwilio, resolution: MARKED_RELEASED, note: "numbergate never had it" }, options));
    expect(wrong.code).toBe(Status.FAILED_PRECONDITION);
    expect(wrong.details).toContain("UNKNOWN_TO_NUMBERGATE: it can only be ADOPTED");
    expect(wrong.rich?.errorInfo?.reason).toBe("INVENTORY_DRIFT_RESOLUTION_MISMATCH");
    expect(wrong.rich?.errorInfo?.metadata).toMatchObject({ drift_id: atTwilio, kind: "UNKNOWN_TO_NUMBERGATE" });
    expect(fieldsOf(wrong)).toEqual(["resolution"]);

    const request = { driftId: atTwilio, resolution: ADOPTED, note: "ported in by the sales team" };
    const first = await started.client.resolveInventoryDrift(request, AS_ADMIN);
    const again = await started.client.resolveInventoryDrift(request, AS_ADMIN);
    expect(again.drift).toEqual(first.drift);
    expect(await auditRows(started, "inventory.drift_resolved")).toHaveLength(1);

    const notOpen = await captureRpcError((options) => started.client.resolveInventoryDrift({ ...request, resolution: MARKED_RELEASED }, options));
    expect(notOpen.code).toBe(Status.FAILED_PRECONDITION);
    expect(notOpen.details).toContain("is ADOPTED, not OPEN");
    expect(notOpen.rich?.errorInfo?.reason).toBe("INVENTORY_DRIFT_NOT_OPEN");
    expect(fieldsOf(notOpen)).toEqual(["drift_id"]);

    // numbergate owns the number now (through Twilio): Bandwidth's drift of it cannot be adopted as well.
    const owned = await captureRpcError((options) => started.client.resolveInventoryDrift({ driftId: atBandwidth, resolution: ADOPTED, note: "ours too?" }, options));
    expect(owned.code).toBe(Status.FAILED_PRECONDITION);
    expect(owned.rich?.errorInfo?.reason).toBe("NUMBER_HELD");
    expect(owned.rich?.errorInfo?.metadata).toMatchObject({ phone_number: number });
    expect((await started.client.listInventoryDrifts({ providerId: "bandwidth" })).drifts.map((drift) => drift.state)).toEqual([OPEN]);
    expect((await started.client.listNumbers({})).numbers.map((owned) => [owned.phoneNumber, owned.providerId])).toEqual([[number, "twilio"]]);
  });

  it("pages ListInventoryDrifts oldest first, by carrier and state", async () => {
    harness = await startHarness({ ...ON_DEMAND, DATABASE_URL: await database.fresh() });
    const started = harness;
    const tns = ["2125550101", "2125550102", "2125550103", "2125550104", "2125550105"];
    for (const tn of tns) started.sandbox.bandwidth.numbers.owned.add(tn);
    await started.client.reconcileInventory({ providerId: "bandwidth" });
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await started.client.listInventoryDrifts({ providerId: "bandwidth", pageSize: 2, pageToken });
      expect(page.drifts.length).toBeLessThanOrEqual(2);
      seen.push(...page.drifts.map((drift) => drift.carrierNumberId));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(seen.sort()).toEqual(tns);
    expect((await started.client.listInventoryDrifts({ providerId: "twilio" })).drifts).toEqual([]);
    expect((await started.client.listInventoryDrifts({ providerId: "bandwidth", state: ADOPTED })).drifts).toEqual([]);
  });
});

describe("the periodic reconciliation", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it("runs every NUMBERGATE_RECONCILE_INTERVAL by itself, audited as the replica's reconciler, and stops with numbergate", async () => {
    harness = await startHarness({ ...ON_DEMAND, NUMBERGATE_RECONCILE_INTERVAL: "100", NUMBERGATE_REPLICA_ID: "replica-p" });
    const started = harness;
    const [number = ""] = await forSaleAt(started, "twilio", "808", 1);
    started.sandbox.twilio.addOwned(number);
    await vi.waitFor(async () => expect(summary((await started.client.listInventoryDrifts({ providerId: "twilio" })).drifts)).toEqual([`twilio ${number} UNKNOWN_TO_NUMBERGATE`]), { timeout: 5000 });
    expect((await auditRows(started, "inventory.drift")).map((row) => row.actor)).toEqual(["reconciler@replica-p"]);
    // It keeps running: the number leaves the account and its drift is found gone.
    started.sandbox.twilio.owned.delete(number);
    await vi.waitFor(async () => expect((await started.client.listInventoryDrifts({ state: GONE })).drifts.map((drift) => drift.phoneNumber)).toEqual([number]), { timeout: 5000 });
    await started.close();
  });
});
