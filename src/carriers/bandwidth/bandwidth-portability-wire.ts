import { z } from "zod";
import { asArray } from "../kit/xml.js";

/**
 * lnpchecker's answer (<NumberPortabilityResponse>, bandwidth.md "Portability check") as the XML parser hands it
 * over: an element that appears once is an object or a string, repeated it is an array, and an empty element
 * (<UnsupportedLosingCarriers/>) is "". The schemas read only what the portability answer needs.
 */

function xmlList<Item extends z.ZodType>(item: Item) {
  return z.preprocess((value) => asArray(value), z.array(item));
}

function xmlElement<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.preprocess((value) => (value === "" || value === undefined ? {} : value), z.object(shape));
}

const tnList = xmlElement({ Tn: xmlList(z.string()) });

const rateCenterGroup = z.object({
  RateCenter: z.string().optional(),
  State: z.string().optional(),
  TnList: tnList,
});

const losingCarrierGroup = z.object({
  LosingCarrierName: z.string().optional(),
  LosingCarrierIsWireless: z.string().optional(),
  LosingCarrierAccountNumberRequired: z.string().optional(),
  TnList: tnList,
});

const rateCenters = xmlElement({ RateCenterGroup: xmlList(rateCenterGroup) });
const losingCarriers = xmlElement({ LosingCarrierTnList: xmlList(losingCarrierGroup) });

export const bandwidthPortabilityResponseSchema = z.object({
  PortableNumbers: tnList,
  SupportedRateCenters: rateCenters,
  UnsupportedRateCenters: rateCenters,
  PartnerSupportedRateCenters: rateCenters,
  SupportedLosingCarriers: losingCarriers,
  UnsupportedLosingCarriers: losingCarriers,
});

export type BandwidthPortabilityResponse = z.infer<typeof bandwidthPortabilityResponseSchema>;
export type BandwidthRateCenterGroup = z.infer<typeof rateCenterGroup>;
export type BandwidthLosingCarrierGroup = z.infer<typeof losingCarrierGroup>;
