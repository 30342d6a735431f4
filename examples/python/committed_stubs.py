"""Makes the committed Python stubs importable: import this module before numbergate.v1 or google.rpc.

`npm run generate` (buf, with Debian's protoc and grpc_python_plugin) writes them to generated/python, whose
generated imports are absolute (`from numbergate.v1 import common_pb2`), so that directory is the root to put on
sys.path. It has no __init__.py files and needs none: numbergate/ and google/rpc/ are namespace packages, and
google/ merges with the google.protobuf that python3-protobuf installs.
"""
import os
import sys

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STUBS = os.path.join(REPOSITORY, "generated", "python")

if not os.path.isdir(os.path.join(STUBS, "numbergate", "v1")):
    raise ImportError(f"no numbergate stubs in {STUBS}: run `npm run generate` in {REPOSITORY}")
if STUBS not in sys.path:
    sys.path.insert(0, STUBS)
