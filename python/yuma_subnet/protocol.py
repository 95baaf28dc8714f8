"""The program side of yuma's JSON Lines protocol (version 1): framing and dispatch.

yuma starts the program and writes requests to its stdin; the program writes responses to
its stdout. Both directions carry UTF-8 JSON, exactly one object per line, at most
``MAX_LINE`` bytes per line::

    -> {"id": 7, "method": "solve", ...}
    <- {"id": 7, "answer": ...}            (or "result": ..., as the method defines)
    <- {"id": 7, "error": "why"}           (a request that failed)

Every request carries an integer ``id`` and its response the same id. Requests may be in
flight together, so responses may come back in any order: each request runs on a thread
pool, and one lock keeps each response on a line of its own. A line that is not a JSON
object, has no integer id, or names an unknown method is answered with an error (id null
when the request has no usable id) and the program reads on. At the end of stdin the
program finishes the requests in flight and returns.

Nothing else may reach stdout, so while serving, ``sys.stdout`` points at stderr: a stray
``print`` in a model lands in yuma's log instead of breaking the stream.
"""

import json
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO, Callable, Dict, Optional

#: Protocol version this package speaks (reported by the ``info`` method).
PROTOCOL_VERSION = 1
#: Longest request or response line, in bytes, newline included.
MAX_LINE = 16 * 1024 * 1024
#: Requests handled at once unless the caller says otherwise.
DEFAULT_WORKERS = 4

#: A method: takes the request object, returns the response's fields other than ``id``
#: (``{"answer": ...}`` or ``{"result": ...}``). Raising answers the request with an error.
Handler = Callable[[Dict[str, Any]], Dict[str, Any]]

log = logging.getLogger("yuma_subnet")


class RequestError(Exception):
    """A request that is malformed for its method (a missing or mistyped field)."""


def field(request: Dict[str, Any], name: str, kind: type, kind_name: str) -> Any:
    """The value of ``request[name]``, checked to be a ``kind``.

    Raises:
        RequestError: the field is missing or of another type (``bool`` never counts as
            ``int``, though Python says it is one).
    """
    if name not in request:
        raise RequestError(f"request has no {name!r}")
    value = request[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RequestError(f"{name!r} must be {kind_name}, got {json.dumps(value)[:80]}")
    return value


def encode(response: Dict[str, Any]) -> bytes:
    """One response line. A response that is not valid JSON (a NaN, an object JSON cannot
    hold) or is too long becomes an error response for the same id instead."""
    try:
        line = json.dumps(response, separators=(",", ":"), allow_nan=False).encode() + b"\n"
    except (TypeError, ValueError) as e:
        return encode({"id": response.get("id"), "error": f"response is not valid JSON: {e}"})
    if len(line) > MAX_LINE:
        return encode(
            {"id": response.get("id"), "error": f"response of {len(line)} bytes exceeds {MAX_LINE}"}
        )
    return line


def describe(error: BaseException) -> str:
    """An exception as a one-line message: its text, or its type when it has none."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class Writer:
    """Writes response lines to a stream, one whole line at a time."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, response: Dict[str, Any]) -> None:
        line = encode(response)
        with self._lock:
            self._stream.write(line)
            self._stream.flush()


def handle(handlers: Dict[str, Handler], request: Dict[str, Any]) -> Dict[str, Any]:
    """The response to a parsed request with a valid id."""
    rid = request["id"]
    method = request.get("method")
    handler = handlers.get(method) if isinstance(method, str) else None
    if handler is None:
        return {"id": rid, "error": f"unknown method {json.dumps(method)}"}
    try:
        fields = handler(request)
    except RequestError as e:
        return {"id": rid, "error": str(e)}
    except Exception as e:  # a model or task failing answers this request, not the program
        log.warning("%s request %s failed", method, rid, exc_info=True)
        return {"id": rid, "error": describe(e)}
    return {"id": rid, **fields}


def parse(line: bytes) -> Dict[str, Any]:
    """A request line as an object with an integer id.

    Raises:
        RequestError: the line is not such an object (it is answered with id null).
    """
    try:
        request = json.loads(line)
    except ValueError as e:
        raise RequestError(f"request is not valid JSON: {e}") from None
    if not isinstance(request, dict):
        raise RequestError("request is not a JSON object")
    rid = request.get("id")
    if not isinstance(rid, int) or isinstance(rid, bool):
        raise RequestError(f"request has no integer id (got {json.dumps(rid)[:40]})")
    return request


def serve_lines(
    handlers: Dict[str, Handler],
    reader: Optional[BinaryIO] = None,
    writer: Optional[BinaryIO] = None,
    workers: int = DEFAULT_WORKERS,
) -> None:
    """Answers requests from ``reader`` (default stdin) on ``writer`` (default stdout) until
    the end of ``reader``, then waits for the requests in flight and returns.

    Args:
        handlers: methods by name.
        workers: requests handled at once (1 answers them in order).
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    redirected = reader is None and writer is None
    reader = reader if reader is not None else sys.stdin.buffer
    out = Writer(writer if writer is not None else sys.stdout.buffer)
    saved_stdout = sys.stdout
    if redirected:
        sys.stdout = sys.stderr
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="yuma-request") as pool:
            for line in lines(reader, out):
                try:
                    request = parse(line)
                except RequestError as e:
                    out.send({"id": None, "error": str(e)})
                    continue
                pool.submit(lambda r=request: out.send(handle(handlers, r)))
    finally:
        if redirected:
            sys.stdout = saved_stdout


def lines(reader: BinaryIO, out: Writer):
    """The non-blank lines of ``reader``; a line longer than ``MAX_LINE`` is skipped to its
    end and answered with an error (id null: the id cannot be read without the whole line)."""
    while True:
        line = reader.readline(MAX_LINE + 1)
        if not line:
            return
        if len(line) > MAX_LINE:
            while line and not line.endswith(b"\n"):
                line = reader.readline(MAX_LINE)
            out.send({"id": None, "error": f"request line exceeds {MAX_LINE} bytes"})
            continue
        if line.strip():
            yield line
