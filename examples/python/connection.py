"""Where and how to reach numbergate: the address, an optional bearer token, and optional TLS or mTLS.

    ADDRESS              positional, else $NUMBERGATE_ADDRESS, else 127.0.0.1:50051
    --token TOKEN        else $NUMBERGATE_TOKEN; sent on every call as `authorization: Bearer TOKEN`
    --ca FILE            trust this CA for the server's certificate (turns TLS on)
    --cert FILE --key FILE
                         present this client certificate (mTLS; the server checks it against its client CA)
    --server-name NAME   the name the server's certificate must carry, when it differs from ADDRESS's host

Without --ca, --cert or --key the channel is plaintext, which is what numbergate serves unless it is given
NUMBERGATE_TLS_CERT and NUMBERGATE_TLS_KEY.
"""
import argparse
import os
import sys

import grpc

DEFAULT_ADDRESS = "127.0.0.1:50051"


def parse_arguments(argv, description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("address", nargs="?", default=os.environ.get("NUMBERGATE_ADDRESS") or DEFAULT_ADDRESS,
                        help=f"host:port of numbergate's gRPC listener (default $NUMBERGATE_ADDRESS or {DEFAULT_ADDRESS})")
    parser.add_argument("--token", default=os.environ.get("NUMBERGATE_TOKEN") or None,
                        help="bearer token (default $NUMBERGATE_TOKEN)")
    parser.add_argument("--ca", metavar="FILE", help="PEM CA certificate that signed the server's certificate")
    parser.add_argument("--cert", metavar="FILE", help="PEM client certificate, for mTLS (with --key)")
    parser.add_argument("--key", metavar="FILE", help="PEM private key of --cert")
    parser.add_argument("--server-name", metavar="NAME", help="expected name in the server's certificate")
    options = parser.parse_args(argv)
    # A certificate without its key (or the reverse) cannot make a TLS handshake: refuse it here, clearly.
    if bool(options.cert) != bool(options.key):
        parser.error("--cert and --key go together")
    if options.server_name and not uses_tls(options):
        parser.error("--server-name needs TLS (--ca, or --cert and --key)")
    return options


def uses_tls(options):
    return bool(options.ca or options.cert)


def open_channel(options):
    """A channel to options.address: plaintext, TLS (--ca) or mTLS (--cert/--key as well)."""
    if not uses_tls(options):
        if options.token:
            # The server may accept it, but anyone on the path can read it.
            print("warning: sending the bearer token over a plaintext channel (no --ca)", file=sys.stderr)
        return grpc.insecure_channel(options.address)
    credentials = grpc.ssl_channel_credentials(
        # None falls back to the system's trusted roots.
        root_certificates=_read(options.ca),
        private_key=_read(options.key),
        certificate_chain=_read(options.cert),
    )
    channel_options = [("grpc.ssl_target_name_override", options.server_name)] if options.server_name else []
    return grpc.secure_channel(options.address, credentials, options=channel_options)


def call_metadata(options):
    """Metadata for every call. Passed per call, not as call credentials, so the token also reaches a
    plaintext server (grpcio sends call credentials over secure channels only)."""
    return (("authorization", f"Bearer {options.token}"),) if options.token else ()


def _read(path):
    if not path:
        return None
    with open(path, "rb") as file:
        return file.read()
