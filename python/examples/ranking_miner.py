"""An example miner for ``ranking_task.py``, at three quality levels.

- ``good``: ranks by each item's median reading, which outliers barely move.
- ``noisy``: ranks by one reading per item, picked at random, outliers and all.
- ``random``: a random ranking (quality about 0).

Serve it with ``yuma miner --backend-cmd "python3 examples/ranking_miner.py --quality good"``,
or over HTTP with ``--http 8000`` and ``yuma miner --backend http://127.0.0.1:8000/solve``.
"""

import argparse
import logging
import random
import statistics
import sys
import threading
from typing import Any, Callable, Dict, List

from yuma_subnet import serve, serve_http


def readings_of(challenge: Any) -> List[List[float]]:
    """The readings in a challenge, checked."""
    readings = challenge.get("readings") if isinstance(challenge, dict) else None
    if not isinstance(readings, list) or not all(
        isinstance(row, list) and row and all(isinstance(r, (int, float)) for r in row)
        for row in readings
    ):
        raise ValueError("challenge has no 'readings' (a list of non-empty lists of numbers)")
    return readings


def model(quality: str, seed: int) -> Callable[[Any], Dict[str, List[int]]]:
    """The model for a ``--quality`` level; ``noisy`` and ``random`` draw from ``seed``."""
    rng = random.Random(seed)
    lock = threading.Lock()  # requests may run on several threads; Random is shared

    def estimate(row: List[float]) -> float:
        if quality == "good":
            return statistics.median(row)
        with lock:
            return rng.choice(row) if quality == "noisy" else rng.random()

    def solve(challenge: Any) -> Dict[str, List[int]]:
        readings = readings_of(challenge)
        estimates = [estimate(row) for row in readings]
        return {"ranking": sorted(range(len(readings)), key=lambda i: (-estimates[i], i))}

    return solve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", choices=["good", "noisy", "random"], default="good")
    parser.add_argument("--seed", type=int, default=None, help="seed for noisy and random")
    parser.add_argument("--http", type=int, metavar="PORT", help="serve HTTP on 127.0.0.1:PORT")
    args = parser.parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.INFO)
    seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(64)
    solve = model(args.quality, seed)
    if args.http is not None:
        serve_http(solve, port=args.http)
    else:
        serve(solve, name=f"ranking-{args.quality}")


if __name__ == "__main__":
    main()
