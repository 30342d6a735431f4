import { describe, expect, it } from "vitest";
import type { AvailableNumberOffer, CarrierId } from "../../src/domain/numbers.js";
import { OfferMerge } from "../../src/manager/offer-ranking.js";

function offer(phoneNumber: string, carrierId: CarrierId, price?: { cents: number; currency?: string }): AvailableNumberOffer {
  return {
    phoneNumber,
    carrierId,
    numberType: "local",
    countryCode: "US",
    capabilities: ["voice", "sms"],
    ...(price ? { monthlyPrice: { currencyCode: price.currency ?? "USD", amountCents: price.cents } } : {}),
  };
}

/** Standing of a carrier: its priority and route position; the answer index grows per call. */
function carrier(priority: number, routePosition: number) {
  let answerIndex = 0;
  return () => ({ priority, routePosition, answerIndex: answerIndex++ });
}

const label = (offers: readonly AvailableNumberOffer[]) => offers.map((entry) => `${entry.phoneNumber}@${entry.carrierId}`);

describe("the merge order of searches", () => {
  it("ranks known prices first, cheaper first, then by carrier priority; unknown prices last", () => {
    const merge = new OfferMerge();
    const twilio = carrier(1, 0);
    const bandwidth = carrier(2, 1);
    merge.add(offer("+12125550001", "twilio", { cents: 115 }), twilio());
    merge.add(offer("+12125550002", "twilio"), twilio());
    merge.add(offer("+12125550003", "bandwidth", { cents: 35 }), bandwidth());
    merge.add(offer("+12125550004", "bandwidth", { cents: 115 }), bandwidth());
    merge.add(offer("+12125550005", "bandwidth"), bandwidth());
    expect(label(merge.ranked(10))).toEqual([
      "+12125550003@bandwidth",
      "+12125550001@twilio",
      "+12125550004@bandwidth",
      "+12125550002@twilio",
      "+12125550005@bandwidth",
    ]);
    expect(label(merge.ranked(2))).toEqual(["+12125550003@bandwidth", "+12125550001@twilio"]);
  });

  it("dedupes by E.164, keeping the better offer: a known price, then the lower price, then the higher priority", () => {
    const merge = new OfferMerge();
    const [first, second, third] = [carrier(1, 0), carrier(2, 1), carrier(3, 2)];
    // Unknown at the best carrier loses to a known price elsewhere.
    merge.add(offer("+12125550001", "twilio"), first());
    merge.add(offer("+12125550001", "bandwidth", { cents: 500 }), second());
    // The lower price wins whoever answered first.
    merge.add(offer("+12125550002", "bandwidth", { cents: 90 }), second());
    merge.add(offer("+12125550002", "telnyx", { cents: 80 }), third());
    // Same price: the higher priority wins, whichever order they arrive in.
    merge.add(offer("+12125550003", "telnyx", { cents: 100 }), third());
    merge.add(offer("+12125550003", "twilio", { cents: 100 }), first());
    expect(merge.size).toBe(3);
    expect(label(merge.ranked(10))).toEqual(["+12125550002@telnyx", "+12125550003@twilio", "+12125550001@bandwidth"]);
  });

  it("breaks ties among equal priorities by route position (the selection mode's order), then by the carrier's own order", () => {
    const merge = new OfferMerge();
    const asked = carrier(1, 0);
    const askedSecond = carrier(1, 1);
    merge.add(offer("+12125550009", "vonage", { cents: 100 }), askedSecond());
    merge.add(offer("+12125550001", "plivo", { cents: 100 }), asked());
    merge.add(offer("+12125550002", "plivo", { cents: 100 }), asked());
    expect(label(merge.ranked(10))).toEqual(["+12125550001@plivo", "+12125550002@plivo", "+12125550009@vonage"]);
  });

  it("ranks USD prices before prices in other currencies (not comparable), and those before unknown ones", () => {
    const merge = new OfferMerge();
    const any = carrier(1, 0);
    merge.add(offer("+442079460001", "vonage"), any());
    merge.add(offer("+442079460002", "vonage", { cents: 10, currency: "EUR" }), any());
    merge.add(offer("+442079460003", "vonage", { cents: 900 }), any());
    expect(label(merge.ranked(10))).toEqual(["+442079460003@vonage", "+442079460002@vonage", "+442079460001@vonage"]);
  });
});
