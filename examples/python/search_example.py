#!/usr/bin/python3
"""Searches numbergate for New York numbers, then sends a bad request and prints the error details it gets back.

    /usr/bin/python3 examples/python/search_example.py [ADDRESS]      (default 127.0.0.1:50051)

Needs only Debian's python3-grpcio and python3-grpc-tools (stubs are generated on first use).
"""
import sys

import grpc

from numbergate_stubs import ensure_stubs

ensure_stubs()

from numbergate.v1 import common_pb2, numbers_pb2, telecom_service_pb2_grpc  # noqa: E402  (generated)
from rich_errors import describe_error  # noqa: E402


def main(address):
    with grpc.insecure_channel(address) as channel:
        stub = telecom_service_pb2_grpc.TelecomServiceStub(channel)
        response = stub.SearchNumbers(
            numbers_pb2.SearchNumbersRequest(
                country_code="US", area_code="212", features=[common_pb2.CAPABILITY_VOICE, common_pb2.CAPABILITY_SMS], limit=5),
            timeout=10)
        for number in response.numbers:
            print(number.phone_number, number.provider_id, number.locality, number.monthly_price.amount_cents)

        # A two-digit area code and a `*` between digits: numbergate refuses both, naming each field.
        try:
            stub.SearchNumbers(numbers_pb2.SearchNumbersRequest(country_code="US", area_code="21", pattern="12*34"), timeout=10)
        except grpc.RpcError as error:
            print(describe_error(error))
            return 0
    print("expected the bad request to be refused", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051"))
