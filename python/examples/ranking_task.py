"""An example subnet task: rank items by a hidden value from noisy readings.

Each challenge has ``ITEMS`` items, each with a hidden value drawn from a standard normal,
and gives the miners ``READINGS`` readings per item: the value plus a little noise, but
now and then (``OUTLIER_RATE``) a wild outlier instead. The answer is a ranking, highest
value first::

    challenge  {"readings": [[r, r, ...], ...]}     one row per item
    secret     {"values": [v, ...]}                 kept by the validator
    answer     {"ranking": [i, ...]}                a permutation of 0..ITEMS-1

Quality is Spearman's rank correlation with the true order, clamped to [0, 1] (a random
ranking scores about 0). Rankings combine by a weighted Borda count: each item earns
``ITEMS - 1 - position`` points from every ranking, times the ranking's own quality
squared, and the ensemble ranks by points. Two rankings are
copies when at most ``NEAR_PAIRS`` of item pairs are in opposite orders.

Run it under a validator with ``yuma validator --task-cmd "python3 examples/ranking_task.py"``.
"""

import logging
import random
import sys
from typing import Any, List, Optional, Sequence

from yuma_subnet import Task, run

#: Items to rank per challenge.
ITEMS = 30
#: Readings per item.
READINGS = 7
#: Spread of an ordinary reading around the item's value.
NOISE = 0.6
#: Share of readings that are outliers, and their spread.
OUTLIER_RATE = 0.2
OUTLIER_SPREAD = 5.0
#: Share of item pairs two rankings may order differently and still be copies.
NEAR_PAIRS = 0.02


def ranking_of(answer: Any) -> Optional[List[int]]:
    """The ranking in ``answer``, or None unless it is a permutation of the items."""
    if not isinstance(answer, dict):
        return None
    ranking = answer.get("ranking")
    if not isinstance(ranking, list) or len(ranking) != ITEMS:
        return None
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ranking):
        return None
    return ranking if sorted(ranking) == list(range(ITEMS)) else None


def spearman(ranking: Sequence[int], values: Sequence[float]) -> float:
    """Spearman's rank correlation between ``ranking`` and the order of ``values``."""
    n = len(values)
    truth = sorted(range(n), key=lambda i: -values[i])
    true_position = {item: p for p, item in enumerate(truth)}
    squared = sum((p - true_position[item]) ** 2 for p, item in enumerate(ranking))
    return 1.0 - 6.0 * squared / (n * (n * n - 1))


class RankingTask(Task):
    """Rank items from noisy readings (see the module doc)."""

    name = "noisy-ranking"

    def challenge(self, seed: int):
        rng = random.Random(seed)
        values = [rng.gauss(0.0, 1.0) for _ in range(ITEMS)]
        readings = [
            [
                round(
                    v + rng.gauss(0.0, OUTLIER_SPREAD if rng.random() < OUTLIER_RATE else NOISE),
                    4,
                )
                for _ in range(READINGS)
            ]
            for v in values
        ]
        return {"readings": readings}, {"values": values}

    def quality(self, secret: Any, answer: Any) -> float:
        ranking = ranking_of(answer)
        if ranking is None:
            return 0.0
        return max(0.0, spearman(ranking, secret["values"]))

    def combine(self, answers: Sequence[Any], qualities: Sequence[float]) -> Any:
        points = [0.0] * ITEMS
        for answer, q in zip(answers, qualities):
            for position, item in enumerate(ranking_of(answer)):
                points[item] += q * q * (ITEMS - 1 - position)
        return {"ranking": sorted(range(ITEMS), key=lambda i: (-points[i], i))}

    def same(self, a: Any, b: Any) -> bool:
        ra, rb = ranking_of(a), ranking_of(b)
        if ra is None or rb is None:
            return False
        position = {item: p for p, item in enumerate(rb)}
        pb = [position[item] for item in ra]
        discordant = sum(1 for i in range(ITEMS) for j in range(i + 1, ITEMS) if pb[i] > pb[j])
        return discordant <= NEAR_PAIRS * ITEMS * (ITEMS - 1) / 2


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stderr, level=logging.INFO)
    run(RankingTask())
