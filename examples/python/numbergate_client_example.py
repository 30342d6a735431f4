#!/usr/bin/python3
"""A tour of numbergate from Python, on Debian's python3-grpcio and python3-protobuf and the committed stubs.

    /usr/bin/python3 examples/python/numbergate_client_example.py [ADDRESS] [--token T] [--ca F [--cert F --key F]]

Lists the carriers, searches for New York (212) numbers, reserves one, buys it with an idempotency key and
buys again with the same key (same order back, nothing bought twice), releases it, sends a bad request and
prints the google.rpc details of the refusal, and reads the first provider-health snapshot. It really buys
a number: point it at a sandbox numbergate (NUMBERGATE_MODE=sandbox) unless that is what you want.
Exits 0 when every step did what numbergate promises, 1 otherwise.
"""
import sys
import time
import uuid

import grpc

import committed_stubs  # noqa: F401  (puts generated/python on sys.path)
from connection import call_metadata, open_channel, parse_arguments, uses_tls
from rich_errors import describe_error, details_of, status_from_error

from google.protobuf import timestamp_pb2
from google.rpc import error_details_pb2
from numbergate.v1 import numbers_pb2, providers_pb2, telecom_service_pb2_grpc

CALL_TIMEOUT = 30.0
# The first health message is a snapshot the server sends at once; waiting longer means something is wrong.
HEALTH_TIMEOUT = 10.0


class UnexpectedOutcome(Exception):
    """numbergate answered, but not as it promises to."""


def short(enum, value):
    """An enum value's name without its type prefix: COMPLETED for NUMBER_ORDER_STATE_COMPLETED."""
    prefix = enum.Name(0).removesuffix("UNSPECIFIED")
    return enum.Name(value).removeprefix(prefix)


def price(money):
    return f"${money.amount_cents / 100:.2f}/month" if money.currency_code == "USD" else f"{money.amount_cents} {money.currency_code} cents/month"


class Tour:
    def __init__(self, stub, metadata):
        self.stub = stub
        self.call = {"timeout": CALL_TIMEOUT, "metadata": metadata}

    def list_providers(self):
        providers = self.stub.ListProviders(providers_pb2.ListProvidersRequest(), **self.call).providers
        print(f"providers: {len(providers)}")
        for provider in providers:
            state = "enabled" if provider.enabled else f"disabled ({provider.disabled_reason})"
            kind = "sandbox" if provider.sandbox else "live"
            print(f"  {provider.provider_id} ({provider.display_name}): {state}, priority {provider.priority}, {kind}, "
                  f"countries {' '.join(provider.country_codes)}")

    def search(self):
        response = self.stub.SearchNumbers(numbers_pb2.SearchNumbersRequest(country_code="US", area_code="212", limit=5), **self.call)
        print(f"search US 212: {len(response.numbers)} numbers")
        for number in response.numbers:
            print(f"  {number.phone_number} {number.provider_id} {number.locality} {price(number.monthly_price)}")
        if not response.numbers:
            raise UnexpectedOutcome("no 212 number to reserve")
        return response.numbers[0]

    def reserve(self, number, request_id):
        reservation = self.stub.ReserveNumber(numbers_pb2.ReserveNumberRequest(
            request_id=request_id, phone_number=number.phone_number, provider_id=number.provider_id), **self.call).reservation
        print(f"reserved {reservation.phone_number} at {reservation.provider_id}: {reservation.reservation_id}, "
              f"{short(numbers_pb2.ReservationState, reservation.state)} until {reservation.expire_time.ToJsonString()}")
        return reservation

    def purchase_twice(self, reservation, request_id):
        """Buys with an idempotency key, then retries as a client would after a lost answer."""
        request = numbers_pb2.PurchaseNumberRequest(request_id=request_id, phone_number=reservation.phone_number,
                                                    provider_id=reservation.provider_id, reservation_id=reservation.reservation_id)
        # A little before now, so that a server clock slightly behind ours still lists the order below.
        since = timestamp_pb2.Timestamp(seconds=int(time.time()) - 300)
        first = self.stub.PurchaseNumber(request, **self.call)
        print(f"purchased {first.owned_number.phone_number} at {first.order.provider_id}: order {first.order.order_id}, "
              f"{short(numbers_pb2.NumberOrderState, first.order.state)}, request_id {request_id}")
        again = self.stub.PurchaseNumber(request, **self.call)
        if again != first:
            raise UnexpectedOutcome(f"the retry with request_id {request_id} answered differently: order {again.order.order_id}")
        orders = self.stub.ListNumberOrders(numbers_pb2.ListNumberOrdersRequest(
            provider_id=first.order.provider_id, create_time_after=since, page_size=500), **self.call).number_orders
        with_key = [order.order_id for order in orders if order.request_id == request_id]
        if with_key != [first.order.order_id]:
            raise UnexpectedOutcome(f"orders with request_id {request_id}: {with_key}")
        print(f"retried request_id {request_id}: same order {again.order.order_id}, 1 order with that key (not bought twice)")
        return first.owned_number

    def release(self, owned):
        released = self.stub.ReleaseNumber(numbers_pb2.ReleaseNumberRequest(
            request_id=f"release-{owned.order_id}", phone_number=owned.phone_number), **self.call).owned_number
        print(f"released {released.phone_number}: {short(numbers_pb2.OwnedNumberState, released.state)}")

    def refused_request(self):
        """A search without a country: numbergate refuses it with INVALID_ARGUMENT and names the field."""
        print('bad request: SearchNumbers with country_code ""')
        try:
            self.stub.SearchNumbers(numbers_pb2.SearchNumbersRequest(country_code="", area_code="212"), **self.call)
        except grpc.RpcError as error:
            print("  " + describe_error(error).replace("\n", "\n  "))
            details = details_of(status_from_error(error))
            if not any(isinstance(detail, error_details_pb2.RetryInfo) for detail in details):
                # numbergate adds RetryInfo only where waiting helps (rate limits, a carrier recovering).
                print("    RetryInfo: none (the same request would be refused again)")
            fields = [violation.field for detail in details
                      if isinstance(detail, error_details_pb2.BadRequest) for violation in detail.field_violations]
            if error.code() != grpc.StatusCode.INVALID_ARGUMENT or "country_code" not in fields:
                raise UnexpectedOutcome(f"expected INVALID_ARGUMENT naming country_code, got {error.code().name} naming {fields}")
            return
        raise UnexpectedOutcome("the bad request was accepted")

    def health_snapshot(self):
        stream = self.stub.WatchProviderHealth(providers_pb2.WatchProviderHealthRequest(),
                                               timeout=HEALTH_TIMEOUT, metadata=self.call["metadata"])
        try:
            first = next(stream, None)
        finally:
            # One snapshot is all this tour wants; the stream would otherwise run until the deadline.
            stream.cancel()
        if first is None or not first.snapshot:
            raise UnexpectedOutcome("WatchProviderHealth ended without a snapshot")
        print(f"health snapshot: {len(first.providers)} providers")
        for health in first.providers:
            print(f"  {health.provider_id}: {short(providers_pb2.ProviderStatus, health.status)}, "
                  f"breaker {short(providers_pb2.BreakerState, health.breaker_state)}, uptime {health.uptime:.1f}%")


def main(argv):
    options = parse_arguments(argv, __doc__.splitlines()[0])
    # One key per run: a rerun is a new purchase, while the retry inside the run reuses it on purpose.
    run_id = uuid.uuid4().hex[:12]
    with open_channel(options) as channel:
        print(f"numbergate at {options.address} ({'TLS' if uses_tls(options) else 'plaintext'}"
              f"{', bearer token' if options.token else ''})")
        tour = Tour(telecom_service_pb2_grpc.TelecomServiceStub(channel), call_metadata(options))
        try:
            tour.list_providers()
            number = tour.search()
            reservation = tour.reserve(number, f"python-example-reserve-{run_id}")
            owned = tour.purchase_twice(reservation, f"python-example-purchase-{run_id}")
            tour.release(owned)
            tour.refused_request()
            tour.health_snapshot()
        except grpc.RpcError as error:
            print("failed: " + describe_error(error), file=sys.stderr)
            return 1
        except UnexpectedOutcome as problem:
            print(f"failed: {problem}", file=sys.stderr)
            return 1
    print("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
