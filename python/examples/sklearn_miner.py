"""A miner for the built-in tabular subnet, with scikit-learn models of three strengths.

The challenge gives training rows and test inputs; the answer predicts each test row::

    challenge  {"kind": "regression" | "classification",
                "train_x": [[...], ...], "train_y": [...], "test_x": [[...], ...]}
    answer     {"predictions": [...]}        one number per test row (class labels as numbers)

``--model`` picks the model: ``gbm`` (gradient boosting), ``linear`` (linear or logistic
regression) or ``constant`` (the mean, or the most common class, which the tabular
subnet scores 0). Needs ``pip install scikit-learn numpy``.

Serve it with ``yuma miner --backend-cmd "python3 examples/sklearn_miner.py --model gbm"``,
or over HTTP with ``--http 8000`` and ``yuma miner --backend http://127.0.0.1:8000/solve``.
"""

import argparse
import logging
import math
import sys
from typing import Any, Callable, Dict, List

from yuma_subnet import serve, serve_http

MODELS = ("gbm", "linear", "constant")


def estimator(model: str, kind: str):
    """A fresh scikit-learn estimator for ``model`` on a ``kind`` task."""
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
    from sklearn.linear_model import LinearRegression, LogisticRegression

    regression = kind == "regression"
    if model == "gbm":
        return GradientBoostingRegressor(random_state=0) if regression else (
            GradientBoostingClassifier(random_state=0)
        )
    if model == "linear":
        return LinearRegression() if regression else LogisticRegression(max_iter=1000)
    return DummyRegressor(strategy="mean") if regression else (
        DummyClassifier(strategy="most_frequent")
    )


def checked(challenge: Any):
    """The challenge's kind and arrays, or ValueError naming what is wrong."""
    import numpy as np

    if not isinstance(challenge, dict):
        raise ValueError("challenge is not a JSON object")
    kind = challenge.get("kind")
    if kind not in ("regression", "classification"):
        raise ValueError(f"kind must be regression or classification, got {kind!r}")
    try:
        train_x = np.asarray(challenge["train_x"], dtype=float)
        train_y = np.asarray(challenge["train_y"], dtype=float)
        test_x = np.asarray(challenge["test_x"], dtype=float)
    except KeyError as e:
        raise ValueError(f"challenge has no {e}") from None
    if train_x.ndim != 2 or test_x.ndim != 2 or train_x.shape[1] != test_x.shape[1]:
        raise ValueError("train_x and test_x must be tables of the same width")
    if len(train_y) != len(train_x) or len(train_x) == 0:
        raise ValueError(f"{len(train_x)} training rows but {len(train_y)} targets")
    if not (np.isfinite(train_x).all() and np.isfinite(train_y).all() and np.isfinite(test_x).all()):
        raise ValueError("challenge has a value that is not a finite number")
    return kind, train_x, train_y, test_x


def model_fn(model: str) -> Callable[[Any], Dict[str, List[float]]]:
    """Fits ``model`` on each challenge's training rows and predicts its test rows."""

    def solve(challenge: Any) -> Dict[str, List[float]]:
        kind, train_x, train_y, test_x = checked(challenge)
        if len(test_x) == 0:
            return {"predictions": []}
        fitted = estimator(model, kind).fit(train_x, train_y)
        predictions = [float(p) for p in fitted.predict(test_x)]
        if not all(math.isfinite(p) for p in predictions):
            raise ValueError("the model predicted a value that is not a finite number")
        return {"predictions": predictions}

    return solve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=MODELS, default="gbm")
    parser.add_argument("--http", type=int, metavar="PORT", help="serve HTTP on 127.0.0.1:PORT")
    parser.add_argument("--workers", type=int, default=2, help="challenges solved at once")
    args = parser.parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.INFO)
    try:
        import numpy  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError as e:
        sys.exit(f"sklearn_miner: {e}\nhint: pip install scikit-learn numpy")
    solve = model_fn(args.model)
    if args.http is not None:
        serve_http(solve, port=args.http)
    else:
        serve(solve, name=f"sklearn-{args.model}", workers=args.workers)


if __name__ == "__main__":
    main()
