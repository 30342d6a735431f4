"""Python stubs for numbergate's examples, generated with nothing but Debian's python3-grpc-tools.

Compiles numbergate/v1/*.proto (proto/) and google/rpc/status.proto + error_details.proto (third_party/proto/).
Debian's grpc_tools bundles an old protoc that rejects the proto3 `optional` label used in error_details.proto,
so the google.rpc files are compiled from copies without it: field numbers and the wire format are unchanged,
and the messages decode exactly what numbergate sends (a field's presence is all that is lost, and numbergate
does not send the one such field, QuotaFailure's future_quota_value).

The stubs go to $NUMBERGATE_PYTHON_STUBS, else examples/python/generated/, and are regenerated when a .proto
changes. Call ensure_stubs() before importing numbergate.v1 or google.rpc modules.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(os.path.dirname(HERE))
NUMBERGATE_PROTOS = [f"numbergate/v1/{name}.proto" for name in ("audit", "common", "numbers", "porting", "providers", "telecom_service")]
RPC_PROTOS = ["google/rpc/status.proto", "google/rpc/error_details.proto"]
# A field declared `optional` (at the start of a line, so comments that mention the word are left alone).
OPTIONAL_LABEL = re.compile(r"^([ \t]*)optional[ \t]+", re.MULTILINE)


def _sources():
    for name in NUMBERGATE_PROTOS:
        yield os.path.join(REPOSITORY, "proto", name), name
    for name in RPC_PROTOS:
        yield os.path.join(REPOSITORY, "third_party", "proto", name), name


def _digest():
    digest = hashlib.sha256()
    for path, name in _sources():
        digest.update(name.encode())
        with open(path, "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()


def ensure_stubs(out_dir=None):
    """Generates the stubs if they are missing or stale, puts their directory on sys.path, and returns it."""
    out_dir = out_dir or os.environ.get("NUMBERGATE_PYTHON_STUBS") or os.path.join(HERE, "generated")
    stamp = os.path.join(out_dir, ".protos-sha256")
    wanted = _digest()
    current = open(stamp).read().strip() if os.path.exists(stamp) else None
    if current != wanted:
        with tempfile.TemporaryDirectory(prefix="numbergate-protos-") as source_root:
            for path, name in _sources():
                target = os.path.join(source_root, name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(path) as source:
                    text = source.read()
                if name in RPC_PROTOS:
                    text = OPTIONAL_LABEL.sub(r"\1", text)
                with open(target, "w") as copy:
                    copy.write(text)
            os.makedirs(out_dir, exist_ok=True)
            for package in ("numbergate", "google"):
                shutil.rmtree(os.path.join(out_dir, package), ignore_errors=True)
            # `python -m grpc_tools.protoc` adds the well-known types (google/protobuf/*.proto) to the include path.
            subprocess.run(
                [sys.executable, "-m", "grpc_tools.protoc", f"-I{source_root}", f"--python_out={out_dir}", f"--grpc_python_out={out_dir}",
                 *NUMBERGATE_PROTOS, *RPC_PROTOS],
                check=True,
            )
        with open(stamp, "w") as written:
            written.write(wanted + "\n")
    # No __init__.py is generated: numbergate/ and google/rpc/ are namespace packages, and google/ merges with
    # the google.protobuf that python3-protobuf installs.
    if out_dir not in sys.path:
        sys.path.insert(0, out_dir)
    return out_dir
