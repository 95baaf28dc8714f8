"""Verify btauth/1 requests with bittensor.http_auth.verify, for the Rust interop tests.

Reads one JSON document on stdin:
{"self_hotkey": ss58, "require_receiver": bool,
 "requests": [{"headers": {..}, "method", "path", "body": hex, "now_ns": int}, ..]}
and verifies the requests in order with one shared nonce store, so a repeated request is a
replay. Prints a JSON list: {"ok": true, "hotkey": ss58, "nonce_ns": int} or
{"ok": false, "error": <AuthError subclass name>, "message": str} per request.
"""

import json
import sys

from bittensor import http_auth


def main() -> None:
    job = json.load(sys.stdin)
    store = http_auth.InMemoryNonceStore()
    out = []
    for request in job["requests"]:
        try:
            caller = http_auth.verify(
                request["headers"],
                bytes.fromhex(request["body"]),
                method=request["method"],
                path=request["path"],
                self_hotkey_ss58=job["self_hotkey"],
                require_receiver=job.get("require_receiver", True),
                nonce_store=store,
                now_ns=request["now_ns"],
            )
            out.append({"ok": True, "hotkey": caller.hotkey_ss58, "nonce_ns": caller.nonce_ns})
        except http_auth.AuthError as error:
            out.append({"ok": False, "error": type(error).__name__, "message": str(error)})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
