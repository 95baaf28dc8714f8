"""A tiny HTTP server that authenticates every request with bittensor.http_auth.verify.

Usage: btauth_server.py SEED_HEX. Binds 127.0.0.1 on a free port, prints the port on stdout and
serves until killed. A verified request gets 200 and a JSON echo
{"hotkey", "method", "path", "body"}; a rejected one gets 401 and "<AuthError class>: message".
"""

import http.server
import json
import sys

import bittensor_core
from bittensor import http_auth

SELF_HOTKEY = bittensor_core.Keypair.create_from_seed(bytes.fromhex(sys.argv[1])).ss58_address


class Handler(http.server.BaseHTTPRequestHandler):
    def handle_any(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        try:
            caller = http_auth.verify(
                dict(self.headers.items()),
                body,
                method=self.command,
                path=self.path,
                self_hotkey_ss58=SELF_HOTKEY,
            )
        except http_auth.AuthError as error:
            self.answer(401, f"{type(error).__name__}: {error}".encode())
            return
        echo = {
            "hotkey": caller.hotkey_ss58,
            "method": self.command,
            "path": self.path,
            "body": body.decode(),
        }
        self.answer(200, json.dumps(echo).encode())

    do_GET = do_POST = do_PUT = do_DELETE = handle_any

    def answer(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


def main() -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
