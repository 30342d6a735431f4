/**
 * The response messages the CLI reads, as proto-loader decodes them (longs and enums as strings, defaults
 * present, unset messages null). Only the fields the CLI shows are listed; the JSON output prints whatever
 * the server sent, so fields of a newer contract still reach a script.
 */

export interface Timestamp {
  readonly seconds: string;
  readonly nanos: number;
}

export type Duration = Timestamp;

export interface Money {
  readonly currencyCode: string;
  readonly amountCents: string;
}

export interface Provider {
  readonly providerId: string;
  readonly displayName: string;
  readonly enabled: boolean;
  readonly priority: number;
  readonly disabledReason: string;
  readonly weight: number;
}

export interface ProviderHealth {
  readonly providerId: string;
  readonly status: string;
  readonly uptime: number;
  readonly breakerState: string;
  readonly lastError: string;
  readonly lastCheckTime: Timestamp | null;
  readonly trafficWeight: number;
  readonly statusChangeTime: Timestamp | null;
}

export interface ProviderMetricsWindow {
  readonly totalRequests: string;
  readonly errorRate: number;
  readonly averageResponseTime: Duration | null;
}

export interface ProviderMetrics extends ProviderMetricsWindow {
  readonly providerId: string;
  readonly rollingWindow: ProviderMetricsWindow | null;
}

export interface ListProvidersResponse {
  readonly providers: readonly Provider[];
}

export interface GetProviderHealthResponse {
  readonly providers: readonly ProviderHealth[];
}

export interface GetProviderMetricsResponse {
  readonly providers: readonly ProviderMetrics[];
}

export interface WatchProviderHealthResponse {
  readonly providers: readonly ProviderHealth[];
  readonly snapshot: boolean;
}

export interface SetProviderEnabledResponse {
  readonly provider: Provider | null;
}

export interface AvailableNumber {
  readonly phoneNumber: string;
  readonly providerId: string;
  readonly numberType: string;
  readonly locality: string;
  readonly region: string;
  readonly capabilities: readonly string[];
  readonly monthlyPrice: Money | null;
}

export interface ProviderOutcome {
  readonly providerId: string;
  readonly state: string;
  readonly detail: string;
  readonly reason: string;
  readonly numbersReturned: number;
  readonly fromCache: boolean;
  readonly stale: boolean;
  readonly duration: Duration | null;
}

export interface SearchNumbersResponse {
  readonly numbers: readonly AvailableNumber[];
  readonly providerOutcomes: readonly ProviderOutcome[];
  readonly effectiveLimit: number;
  readonly warnings: readonly string[];
}

export interface NumberOrderItem {
  readonly phoneNumber: string;
  readonly state: string;
  readonly detail: string;
}

export interface NumberOrder {
  readonly orderId: string;
  readonly requestId: string;
  readonly providerId: string;
  readonly state: string;
  readonly items: readonly NumberOrderItem[];
  readonly carrierOrderId: string;
  readonly createTime: Timestamp | null;
  readonly updateTime: Timestamp | null;
  readonly detail: string;
}

export interface GetNumberOrderResponse {
  readonly order: NumberOrder | null;
}

export interface ListNumberOrdersResponse {
  readonly numberOrders: readonly NumberOrder[];
  readonly nextPageToken: string;
}

export interface PortingOrderTransition {
  readonly fromState: string;
  readonly toState: string;
  readonly time: Timestamp | null;
  readonly source: string;
  readonly carrierStatus: string;
  readonly detail: string;
}

export interface PortingDocument {
  readonly documentType: string;
  readonly fileName: string;
  readonly sizeBytes: string;
  readonly carrierDocumentId: string;
}

export interface PortingOrder {
  readonly portingOrderId: string;
  readonly requestId: string;
  readonly phoneNumbers: readonly string[];
  readonly providerId: string;
  readonly currentProvider: string;
  readonly state: string;
  readonly carrierOrderId: string;
  readonly carrierStatus: string;
  readonly focTime: Timestamp | null;
  readonly createTime: Timestamp | null;
  readonly updateTime: Timestamp | null;
  readonly detail: string;
  readonly documents: readonly PortingDocument[];
  readonly transitions: readonly PortingOrderTransition[];
}

export interface GetPortingOrderResponse {
  readonly portingOrder: PortingOrder | null;
}

export interface ListPortingOrdersResponse {
  readonly portingOrders: readonly PortingOrder[];
  readonly nextPageToken: string;
}

export interface AuditEvent {
  readonly eventId: string;
  readonly time: Timestamp | null;
  readonly actor: string;
  readonly requestId: string;
  readonly providerId: string;
  readonly operation: string;
  readonly outcome: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly detail: string;
  readonly repeatCount: number;
}

export interface ListAuditEventsResponse {
  readonly events: readonly AuditEvent[];
  readonly nextPageToken: string;
}
