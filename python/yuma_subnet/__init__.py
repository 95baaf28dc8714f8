"""Serve a model to ``yuma miner``, or define a subnet's task for ``yuma validator``, in
Python, over yuma's JSON Lines protocol (see ``yuma_subnet.protocol`` and the README).

- ``serve(model_fn)`` / ``serve_http(model_fn, port=...)``: a miner's model.
- ``Task`` and ``run(task)``: a subnet's task, scored by quality or by Shapley value.
"""

from .miner import http_server, serve, serve_http
from .protocol import MAX_LINE, PROTOCOL_VERSION
from .shapley import Estimate, shapley
from .task import Task, run

__all__ = [
    "MAX_LINE",
    "PROTOCOL_VERSION",
    "Estimate",
    "Task",
    "http_server",
    "run",
    "serve",
    "serve_http",
    "shapley",
]
