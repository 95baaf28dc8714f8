"""Sign btauth/1 requests with bittensor.http_auth.sign, for the Rust interop tests.

Reads a JSON list of requests on stdin, each
{"seed": hex, "crypto": "sr25519"|"ed25519", "method", "path", "body": hex,
 "receiver": ss58|null, "nonce_ns": int}
and prints a JSON list with the header dict that `sign` returned for each.
"""

import json
import sys

import bittensor_core
from bittensor import http_auth

CRYPTO = {"sr25519": bittensor_core.CRYPTO_SR25519, "ed25519": bittensor_core.CRYPTO_ED25519}


def main() -> None:
    out = []
    for request in json.load(sys.stdin):
        keypair = bittensor_core.Keypair.create_from_seed(
            bytes.fromhex(request["seed"]), CRYPTO[request.get("crypto", "sr25519")]
        )
        out.append(
            http_auth.sign(
                keypair,
                method=request["method"],
                path=request["path"],
                body=bytes.fromhex(request["body"]),
                receiver_ss58=request.get("receiver"),
                nonce_ns=request["nonce_ns"],
            )
        )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
