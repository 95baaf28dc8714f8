"""Serving a model to ``yuma miner``: over stdin/stdout, or over HTTP.

A model is a function from a challenge (any JSON value) to an answer (any JSON value). It
raises to refuse a challenge; the exception's message goes back to yuma as the reason.

- ``serve(model_fn)`` for ``yuma miner --backend-cmd "python3 my_model.py"``: answers
  ``solve`` requests (``{"id", "method": "solve", "challenge", "timeout_ms"}`` ->
  ``{"id", "answer"}``) and ``info`` (``{"protocol": 1, "name"}``) over JSON Lines
  (see ``yuma_subnet.protocol``). yuma enforces ``timeout_ms`` itself, by giving up on the
  request; the model is not interrupted.
- ``serve_http(model_fn, port=8000)`` for ``yuma miner --backend http://127.0.0.1:8000/solve``:
  each POST carries the challenge as its body and gets 200 with the answer, 422 with
  ``{"error"}`` when the model raised, 400 for a body that is not JSON, 413 for one over
  the size limit.
"""

import json
import logging
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, BinaryIO, Callable, Dict, Optional

from .protocol import (
    DEFAULT_WORKERS,
    MAX_LINE,
    PROTOCOL_VERSION,
    RequestError,
    describe,
    serve_lines,
)

#: A model: challenge -> answer, both JSON values.
Model = Callable[[Any], Any]

log = logging.getLogger("yuma_subnet.miner")


def serve(
    model_fn: Model,
    name: str = "model",
    workers: int = DEFAULT_WORKERS,
    reader: Optional[BinaryIO] = None,
    writer: Optional[BinaryIO] = None,
) -> None:
    """Serves ``model_fn`` over stdin/stdout (or ``reader``/``writer``) until stdin ends.

    Args:
        name: the model's name, reported by ``info``.
        workers: challenges solved at once (the model must be safe to call from that many
            threads; 1 solves them one after another).
    """

    def info(_request: Dict[str, Any]) -> Dict[str, Any]:
        return {"result": {"protocol": PROTOCOL_VERSION, "name": name}}

    def solve(request: Dict[str, Any]) -> Dict[str, Any]:
        if "challenge" not in request:
            raise RequestError("solve request has no 'challenge'")
        return {"answer": model_fn(request["challenge"])}

    serve_lines({"info": info, "solve": solve}, reader, writer, workers)


def http_server(
    model_fn: Model,
    host: str = "127.0.0.1",
    port: int = 8000,
    path: str = "/solve",
    max_body: int = MAX_LINE,
) -> ThreadingHTTPServer:
    """An HTTP server (not yet serving) that answers POSTs to ``path`` with ``model_fn``.

    Bound to ``host`` and ``port`` (0 picks a free port: read it from
    ``server.server_address``). Each request runs on its own thread. Bodies over
    ``max_body`` bytes are refused unread.
    """

    class SolveHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
            if self.path != path:
                return self.reply(HTTPStatus.NOT_FOUND, {"error": f"no such path; POST to {path}"})
            length = self.headers.get("Content-Length")
            if length is None or not length.isdigit():
                return self.reply(HTTPStatus.LENGTH_REQUIRED, {"error": "Content-Length required"})
            if int(length) > max_body:
                self.close_connection = True
                return self.reply(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    {"error": f"body of {length} bytes exceeds {max_body}"},
                )
            try:
                challenge = json.loads(self.rfile.read(int(length)))
            except ValueError as e:
                return self.reply(HTTPStatus.BAD_REQUEST, {"error": f"body is not valid JSON: {e}"})
            try:
                answer = model_fn(challenge)
            except Exception as e:  # the model refused this challenge
                log.warning("model failed on a challenge", exc_info=True)
                return self.reply(HTTPStatus.UNPROCESSABLE_ENTITY, {"error": describe(e)})
            self.reply(HTTPStatus.OK, answer)

        def reply(self, status: HTTPStatus, body: Any) -> None:
            try:
                data = json.dumps(body, separators=(",", ":"), allow_nan=False).encode()
            except (TypeError, ValueError) as e:
                status = HTTPStatus.INTERNAL_SERVER_ERROR
                data = json.dumps({"error": f"answer is not valid JSON: {e}"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
            log.info("%s %s", self.address_string(), format % args)

    server = ThreadingHTTPServer((host, port), SolveHandler)
    server.daemon_threads = True
    return server


def serve_http(
    model_fn: Model,
    host: str = "127.0.0.1",
    port: int = 8000,
    path: str = "/solve",
    max_body: int = MAX_LINE,
) -> None:
    """Serves ``model_fn`` over HTTP until interrupted (see ``http_server``)."""
    server = http_server(model_fn, host, port, path, max_body)
    log.info("serving on http://%s:%d%s", *server.server_address[:2], path)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
