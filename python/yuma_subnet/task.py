"""Defining a subnet's task for ``yuma validator --task-cmd "python3 task.py"``.

A task draws challenges and judges answers; subclass ``Task`` and pass an instance to
``run``. The base class answers the three methods yuma calls:

- ``info`` -> ``{"protocol": 1, "name", "combine"}``: ``combine`` says whether the task
  overrides ``Task.combine``, i.e. whether its answers can form an ensemble.
- ``challenge`` with a ``seed`` -> ``{"challenge", "secret"}``, from ``Task.challenge``.
  The same seed must give the same challenge and secret: draw from ``random.Random(seed)``
  (or ``numpy.random.default_rng(seed)``) made inside the call, never from global state.
- ``score`` with the ``secret``, every miner's ``answers`` (null for a miner that failed),
  ``scoring`` and a ``seed`` -> ``{"scores", "quality", "scoring"}``:

  - ``quality[i]`` is ``Task.quality(secret, answers[i])`` clamped to [0, 1]; 0 for a null
    answer, and 0 when ``quality`` raises or returns something that is not a finite number
    (a malformed answer must cost its miner, not the validator).
  - With ``"shapley"`` and a task that combines, ``scores[i]`` is answer i's Shapley value
    (``yuma_subnet.shapley``) in the game where a coalition is worth the quality of
    ``combine`` of its answers (given their own qualities as weights). Answers of quality 0 never join a coalition, so junk can
    neither break ``combine`` nor dilute the others; answers ``Task.same`` calls copies
    share one player's value. Negative values (an answer that makes every ensemble
    worse) are paid 0.
  - Otherwise (``"independent"``, or a task without ``combine``) ``scores == quality``, and
    the reply's ``scoring`` says ``"independent"``.
"""

import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .protocol import DEFAULT_WORKERS, PROTOCOL_VERSION, RequestError, field, serve_lines
from .shapley import shapley

#: Scoring rules yuma may ask for.
SCORINGS = ("shapley", "independent")


class Task:
    """A subnet task. Override ``challenge`` and ``quality``; override ``combine`` (and
    usually ``same``) to have miners paid by their Shapley value in the ensemble."""

    #: The task's name, reported by ``info``.
    name = "task"

    def challenge(self, seed: int) -> Tuple[Any, Any]:
        """The challenge sent to miners and the secret the validator keeps, both JSON
        values, drawn deterministically from ``seed``."""
        raise NotImplementedError(f"{type(self).__name__} does not define challenge(seed)")

    def quality(self, secret: Any, answer: Any) -> float:
        """How good ``answer`` is, in [0, 1]. ``answer`` comes from a miner and may be
        malformed: return 0 for it (raising counts as 0 too)."""
        raise NotImplementedError(f"{type(self).__name__} does not define quality(secret, answer)")

    def combine(self, answers: Sequence[Any], qualities: Sequence[float]) -> Any:
        """One answer made from several (at least one), e.g. a mean of predictions or a
        vote; scored by ``quality`` as the ensemble's answer. ``qualities[i]`` is
        ``answers[i]``'s own quality (above 0), so that the combination can lean on the
        better answers as a validator would (the built-in tabular ensemble weighs each
        answer by its quality squared): an unweighted mean lets a few weak answers drown
        out a strong one."""
        raise NotImplementedError(f"{type(self).__name__} does not combine answers")

    def same(self, a: Any, b: Any) -> bool:
        """Whether answer ``b`` is a copy of ``a``: equal, or equal but for a little noise.
        The default: equal as JSON values."""
        return a == b

    @property
    def combines(self) -> bool:
        """Whether this task overrides ``combine``."""
        return type(self).combine is not Task.combine

    def score(
        self, secret: Any, answers: Sequence[Any], scoring: str, seed: int
    ) -> Dict[str, Any]:
        """The ``score`` method's result (see the module doc)."""
        if scoring not in SCORINGS:
            raise RequestError(f"scoring must be one of {', '.join(SCORINGS)}, got {scoring!r}")
        quality = [self.checked_quality(secret, a) for a in answers]
        if scoring != "shapley" or not self.combines:
            return {"scores": quality, "quality": quality, "scoring": "independent"}
        scores = [0.0] * len(answers)
        # Only answers worth something alone play.
        playing = [i for i, q in enumerate(quality) if q > 0.0]

        def value(members: Tuple[int, ...]) -> float:
            combined = self.combine(
                [answers[playing[m]] for m in members], [quality[playing[m]] for m in members]
            )
            return self.checked_quality(secret, combined)

        estimate = shapley(
            len(playing),
            value,
            lambda a, b: bool(self.same(answers[playing[a]], answers[playing[b]])),
            seed,
        )
        for i, v in zip(playing, estimate.values):
            scores[i] = max(0.0, v) if math.isfinite(v) else 0.0
        return {"scores": scores, "quality": quality, "scoring": "shapley"}

    def checked_quality(self, secret: Any, answer: Optional[Any]) -> float:
        """``quality`` made safe for an answer from anyone: in [0, 1], 0 for a null answer,
        an error or a result that is not a finite number."""
        if answer is None:
            return 0.0
        try:
            q = float(self.quality(secret, answer))
        except Exception:  # a malformed answer costs its miner, not the validator
            return 0.0
        return min(1.0, max(0.0, q)) if math.isfinite(q) else 0.0


def handlers(task: Task):
    """The protocol methods that serve ``task``."""

    def info(_request: Dict[str, Any]) -> Dict[str, Any]:
        return {
            "result": {"protocol": PROTOCOL_VERSION, "name": task.name, "combine": task.combines}
        }

    def challenge(request: Dict[str, Any]) -> Dict[str, Any]:
        challenge, secret = task.challenge(field(request, "seed", int, "an integer"))
        return {"result": {"challenge": challenge, "secret": secret}}

    def score(request: Dict[str, Any]) -> Dict[str, Any]:
        if "secret" not in request:
            raise RequestError("request has no 'secret'")
        answers: List[Any] = field(request, "answers", list, "a list")
        result = task.score(
            request["secret"],
            answers,
            field(request, "scoring", str, "a string"),
            field(request, "seed", int, "an integer"),
        )
        return {"result": result}

    return {"info": info, "challenge": challenge, "score": score}


def run(task: Task, workers: int = DEFAULT_WORKERS, reader=None, writer=None) -> None:
    """Serves ``task`` over stdin/stdout (or ``reader``/``writer``) until stdin ends."""
    serve_lines(handlers(task), reader, writer, workers)
