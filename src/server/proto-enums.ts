import { Capability as ProtoCapability, NumberType as ProtoNumberType } from "../../generated/numbergate/v1/common.js";
import type { Capability, NumberType } from "../domain/numbers.js";

/** Domain capability for a proto enum value; undefined for UNSPECIFIED or values this server does not know. */
export function capabilityFromProto(value: ProtoCapability): Capability | undefined {
  switch (value) {
    case ProtoCapability.CAPABILITY_VOICE:
      return "voice";
    case ProtoCapability.CAPABILITY_SMS:
      return "sms";
    case ProtoCapability.CAPABILITY_MMS:
      return "mms";
    case ProtoCapability.CAPABILITY_FAX:
      return "fax";
    default:
      return undefined;
  }
}

export function capabilityToProto(capability: Capability): ProtoCapability {
  switch (capability) {
    case "voice":
      return ProtoCapability.CAPABILITY_VOICE;
    case "sms":
      return ProtoCapability.CAPABILITY_SMS;
    case "mms":
      return ProtoCapability.CAPABILITY_MMS;
    case "fax":
      return ProtoCapability.CAPABILITY_FAX;
  }
}

/** UNSPECIFIED means local in a search. */
export function numberTypeFromProto(value: ProtoNumberType): NumberType | undefined {
  switch (value) {
    case ProtoNumberType.NUMBER_TYPE_UNSPECIFIED:
    case ProtoNumberType.NUMBER_TYPE_LOCAL:
      return "local";
    case ProtoNumberType.NUMBER_TYPE_TOLL_FREE:
      return "toll_free";
    case ProtoNumberType.NUMBER_TYPE_MOBILE:
      return "mobile";
    default:
      return undefined;
  }
}

export function numberTypeToProto(numberType: NumberType): ProtoNumberType {
  switch (numberType) {
    case "local":
      return ProtoNumberType.NUMBER_TYPE_LOCAL;
    case "toll_free":
      return ProtoNumberType.NUMBER_TYPE_TOLL_FREE;
    case "mobile":
      return ProtoNumberType.NUMBER_TYPE_MOBILE;
  }
}
