"""The built-in tabular subnet's task, redone in Python: to try a tabular miner without a
chain, and as an example of a task whose answers combine.

It draws tasks of the same shape and by the same rule as the Rust subnet
(crates/subnets/src/tabular/task.rs), from Python's own random numbers, so a seed gives
other numbers than in Rust. ``TRAIN_ROWS`` training rows and ``TEST_ROWS`` test rows of 8 to
10 features, uniform on [-1, 1], four of which carry signal::

    f(x) = a * x[i]  +  b * step(|x[j]| > t1)  +  c * (step(x[k] > t2) xor step(x[l] > t3))
    y    = f(x) + noise                         regression
    y    = quantile bin of f(x) + noise         classification, 2 or 3 balanced classes

Quality is scored as the subnet does: R² for regression and accuracy above chance
(the majority class's share) for classification, both clamped to [0, 1]; an answer of the
wrong length or with a value that is not a finite number scores 0. Answers combine as in
the subnet's ensemble: a mean (regression) or vote (classification, ties to the smaller
class) weighted by each answer's quality squared. Copies: answers whose squared
differences add up to at most ``NEAR_REGRESSION`` of the first one's spread around its
mean, or that differ on at most ``NEAR_CLASSES`` of the rows.

Run it with ``yuma validator --task-cmd "python3 examples/tabular_task.py"``.
"""

import logging
import math
import random
import sys
from typing import Any, List, Optional, Sequence

from yuma_subnet import Task, run

TRAIN_ROWS = 300
TEST_ROWS = 80
NEAR_REGRESSION = 0.02
NEAR_CLASSES = 0.1


def predictions_of(answer: Any, rows: Optional[int] = None) -> Optional[List[float]]:
    """The predictions in ``answer`` (of length ``rows`` if given), or None when malformed."""
    p = answer.get("predictions") if isinstance(answer, dict) else None
    if not isinstance(p, list) or (rows is not None and len(p) != rows):
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p):
        return None
    return [float(v) for v in p] if all(math.isfinite(v) for v in p) else None


def quality_of(kind: str, truth: Sequence[float], predicted: Sequence[float]) -> float:
    """R² or accuracy above chance of ``predicted`` (of the right length), clamped to [0, 1]."""
    n = len(truth)
    if kind == "regression":
        mean = sum(truth) / n
        sst = sum((t - mean) ** 2 for t in truth)
        sse = sum((t - p) ** 2 for t, p in zip(truth, predicted))
        raw = (1.0 if sse == 0 else 0.0) if sst == 0 else 1.0 - sse / sst
    else:
        chance = max(truth.count(c) for c in set(truth)) / n
        accuracy = sum(1 for t, p in zip(truth, predicted) if round(p) == t) / n
        raw = (1.0 if accuracy == 1 else 0.0) if chance >= 1 else (accuracy - chance) / (1 - chance)
    return min(1.0, max(0.0, raw))


class TabularTask(Task):
    """Learn a hidden rule from training rows, predict the test rows (see the module doc)."""

    name = "tabular-python"

    def challenge(self, seed: int):
        rng = random.Random(seed)
        d = rng.randint(8, 10)
        i, j, k, l = rng.sample(range(d), 4)
        sign = lambda: rng.choice((1.0, -1.0))  # noqa: E731
        a, b, c = sign() * rng.uniform(0.5, 0.8), sign() * rng.uniform(0.9, 1.3), sign() * rng.uniform(0.9, 1.3)
        band, t2, t3 = rng.uniform(0.3, 0.6), rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3)
        noise = rng.uniform(0.1, 0.2)
        x = [[rng.uniform(-1.0, 1.0) for _ in range(d)] for _ in range(TRAIN_ROWS + TEST_ROWS)]
        y = [
            a * r[i] + b * (abs(r[j]) > band) + c * ((r[k] > t2) != (r[l] > t3)) + noise * rng.gauss(0, 1)
            for r in x
        ]
        kind = rng.choice(("regression", "classification"))
        if kind == "classification":
            classes = rng.randint(2, 3)
            ordered = sorted(y)
            cuts = [ordered[n * len(y) // classes] for n in range(1, classes)]
            y = [float(sum(v >= cut for cut in cuts)) for v in y]
        challenge = {
            "kind": kind,
            "train_x": x[:TRAIN_ROWS],
            "train_y": y[:TRAIN_ROWS],
            "test_x": x[TRAIN_ROWS:],
        }
        return challenge, {"kind": kind, "test_y": y[TRAIN_ROWS:]}

    def quality(self, secret: Any, answer: Any) -> float:
        predicted = predictions_of(answer, len(secret["test_y"]))
        if predicted is None or not predicted:
            return 0.0
        return quality_of(secret["kind"], secret["test_y"], predicted)

    def combine(self, answers: Sequence[Any], qualities: Sequence[float]) -> Any:
        rows = [predictions_of(a) for a in answers]
        weights = [q * q for q in qualities]
        # Answers do not say their kind: predictions that are all whole numbers are classes.
        if all(float(v).is_integer() for row in rows for v in row):
            return {"predictions": [vote(column, weights) for column in zip(*rows)]}
        total = sum(weights)
        return {"predictions": [sum(w * v for w, v in zip(weights, c)) / total for c in zip(*rows)]}

    def same(self, a: Any, b: Any) -> bool:
        pa, pb = predictions_of(a), predictions_of(b)
        if pa is None or pb is None or len(pa) != len(pb) or not pa:
            return False
        if all(v.is_integer() for v in pa + pb):  # classes, as in combine
            return sum(x != y for x, y in zip(pa, pb)) <= NEAR_CLASSES * len(pa)
        mean = sum(pa) / len(pa)
        spread = sum((v - mean) ** 2 for v in pa)
        return sum((x - y) ** 2 for x, y in zip(pa, pb)) <= NEAR_REGRESSION * spread


def vote(column: Sequence[float], weights: Sequence[float]) -> float:
    """The class with the most weight in one row, ties to the smaller class."""
    tally: dict = {}
    for v, w in zip(column, weights):
        tally[v] = tally.get(v, 0.0) + w
    return min(tally, key=lambda c: (-tally[c], c))


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stderr, level=logging.INFO)
    run(TabularTask())
