import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ALL_CARRIER_FEATURES,
  CARRIER_FEATURE_METHODS,
  declarationProblems,
  declaredFeatures,
  featureMethods,
  offeredFeatures,
  type CarrierAdapter,
} from "../../src/domain/carrier-adapter.js";
import { CarrierUnavailableError } from "../../src/domain/service-errors.js";
import { ProviderManager } from "../../src/manager/provider-manager.js";
import { startHarness, type Harness } from "../support/harness.js";
import { descriptor, register, ScriptedCarrier } from "./scripted-carrier.js";

/** A scripted carrier that also buys, releases and lists its numbers (every registered carrier must). */
function sellingCarrier(overrides: Parameters<typeof descriptor>[1] = {}, extra: Partial<CarrierAdapter> = {}): CarrierAdapter {
  return Object.assign(new ScriptedCarrier(descriptor("twilio", overrides)), {
    doPurchase: async () => ({ carrierOrderId: undefined, state: "completed" as const, purchased: [], failed: [] }),
    doGetOrderStatus: async () => undefined,
    doRelease: async () => ({ state: "completed" as const, carrierOrderId: undefined }),
    doGetReleaseStatus: async () => ({ state: "completed" as const }),
    doListOwnedNumbers: async () => ({ numbers: [], nextPageToken: undefined }),
    ...extra,
  });
}

describe("carrier feature declarations", () => {
  it("offers exactly what a descriptor declares and its adapter backs, and reports every disagreement", () => {
    const sound = sellingCarrier();
    expect(declarationProblems(sound)).toEqual([]);
    expect([...offeredFeatures(sound)]).toEqual(["purchases", "releases", "inventory"]);

    // A carrier that cannot list its numbers is reported: inventory reconciliation needs every carrier's list.
    const unlisted = Object.assign(sellingCarrier(), { doListOwnedNumbers: undefined });
    expect(declarationProblems(unlisted)).toEqual(["twilio declares inventory but has no doListOwnedNumbers"]);
    expect(featureMethods(unlisted, "inventory")).toBeUndefined();

    // Declared, but the methods are not there: not offered, and the declaration is reported.
    const overDeclared = sellingCarrier({ supportsPorting: true, supportsReservations: true }, { doReserve: async () => ({ carrierReservationId: "r", expiresAt: undefined }) });
    expect(declarationProblems(overDeclared)).toEqual([
      "twilio declares reservations but has no doCancelReservation",
      "twilio declares porting but has no doCreatePortIn, doFindPortIn, doGetPortIn, doResubmitPortIn, doAttachPortInDocument, doCancelPortIn, readPortInNotification",
    ]);
    expect(offeredFeatures(overDeclared).has("porting")).toBe(false);
    expect(featureMethods(overDeclared, "reservations")).toBeUndefined();

    // Methods there, but not declared: the declaration decides, so it is not offered either.
    const underDeclared = sellingCarrier({}, { doReserve: async () => ({ carrierReservationId: "r", expiresAt: undefined }), doCancelReservation: async () => undefined });
    expect(declarationProblems(underDeclared)).toEqual(["twilio has doReserve, doCancelReservation but does not declare reservations"]);
    expect(featureMethods(underDeclared, "reservations")).toBeUndefined();

    const reserving = sellingCarrier({ supportsReservations: true }, { doReserve: async () => ({ carrierReservationId: "r", expiresAt: undefined }), doCancelReservation: async () => undefined });
    expect(featureMethods(reserving, "reservations")?.doReserve).toBeTypeOf("function");
  });

  it("refuses, without calling, a carrier operation whose feature the carrier does not offer", async () => {
    const carrier = sellingCarrier({ supportsPorting: true });
    const manager = new ProviderManager({ registrations: [register(carrier, 1)] });
    expect(manager.declarationProblems).toEqual(["twilio declares porting but has no doCreatePortIn, doFindPortIn, doGetPortIn, doResubmitPortIn, doAttachPortInDocument, doCancelPortIn, readPortInNotification"]);
    let called = false;
    const refused = manager.callCarrier("twilio", "port_in_status", async () => {
      called = true;
      return [];
    });
    await expect(refused).rejects.toBeInstanceOf(CarrierUnavailableError);
    await expect(refused).rejects.toThrow("numbergate does not offer porting at twilio");
    expect(called).toBe(false);
  });
});

describe("every registered carrier (contract)", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => harness.close());

  it("is offered only what it declares and backs, and ListProviders says exactly that: Bandwidth, Telnyx and Twilio offer port-ins", async () => {
    const { providers } = await harness.client.listProviders({});
    const { manager } = harness.app;
    expect(manager.registrations.length).toBeGreaterThan(0);
    for (const registration of manager.registrations) {
      const { adapter } = registration;
      const declared = declaredFeatures(adapter.descriptor);
      const offered = manager.offeredFeatures(adapter.descriptor.id);
      for (const feature of ALL_CARRIER_FEATURES) {
        const backed = CARRIER_FEATURE_METHODS[feature].every((method) => typeof adapter[method] === "function");
        expect(offered.has(feature), `${adapter.descriptor.id} ${feature}`).toBe(declared.has(feature) && backed);
      }
      // Every carrier is registered to sell and release numbers, and to list the account's numbers.
      expect([...offered]).toEqual(expect.arrayContaining(["purchases", "releases", "inventory"]));
      const provider = providers.find((candidate) => candidate.providerId === adapter.descriptor.id);
      expect(provider).toMatchObject({ supportsReservations: offered.has("reservations"), supportsPorting: offered.has("porting") });
    }
    expect(providers.filter((provider) => provider.supportsPorting).map((provider) => provider.providerId).sort()).toEqual(["bandwidth", "telnyx", "twilio"]);
  });
});
