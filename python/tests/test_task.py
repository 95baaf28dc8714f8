"""Tasks as yuma's validator uses them: info, deterministic challenges, and scores."""

import io
import json
import unittest

import support
from ranking_miner import model
from ranking_task import RankingTask
from tabular_task import TabularTask
from yuma_subnet import Task, run


class Parity(Task):
    """Answers are numbers; an answer is as good as it is close to the secret (no combine)."""

    name = "parity"

    def challenge(self, seed):
        return {"seed": seed}, seed % 10

    def quality(self, secret, answer):
        return 1.0 - abs(answer - secret) / 10


def call(task, *requests):
    """The responses of ``task`` to ``requests``, by id."""
    text = b"".join(json.dumps(r).encode() + b"\n" for r in requests)
    out = io.BytesIO()
    run(task, reader=io.BytesIO(text), writer=out)
    return {r["id"]: r for r in map(json.loads, out.getvalue().decode().splitlines())}


def answers_for(challenge):
    """Two copies of a good miner, three noisy miners, a random one, a failed miner and
    malformed answers."""
    good = model("good", 0)(challenge)
    return [
        good,
        model("noisy", 1)(challenge),
        good,
        model("noisy", 2)(challenge),
        model("noisy", 3)(challenge),
        model("random", 4)(challenge),
        None,
        {"ranking": [0, 0, 0]},
        "nonsense",
    ]


class Challenges(unittest.TestCase):
    def test_the_same_seed_gives_the_same_challenge_and_secret(self):
        for task in (RankingTask(), TabularTask()):
            responses = call(
                task,
                {"id": 1, "method": "challenge", "seed": 123},
                {"id": 2, "method": "challenge", "seed": 123},
                {"id": 3, "method": "challenge", "seed": 124},
            )
            self.assertEqual(responses[1]["result"], responses[2]["result"])
            self.assertNotEqual(responses[1]["result"], responses[3]["result"])
            self.assertEqual(set(responses[1]["result"]), {"challenge", "secret"})

    def test_info_says_whether_the_task_combines(self):
        info = call(RankingTask(), {"id": 1, "method": "info"})[1]["result"]
        self.assertEqual(info, {"protocol": 1, "name": "noisy-ranking", "combine": True})
        info = call(Parity(), {"id": 1, "method": "info"})[1]["result"]
        self.assertEqual(info, {"protocol": 1, "name": "parity", "combine": False})

    def test_a_seed_that_is_not_an_integer_is_an_error(self):
        responses = call(
            Parity(),
            {"id": 1, "method": "challenge", "seed": "12"},
            {"id": 2, "method": "challenge"},
            {"id": 3, "method": "challenge", "seed": True},
        )
        self.assertEqual(responses[1]["error"], "'seed' must be an integer, got \"12\"")
        self.assertEqual(responses[2]["error"], "request has no 'seed'")
        self.assertIn("must be an integer", responses[3]["error"])


class Scores(unittest.TestCase):
    def setUp(self):
        self.task = RankingTask()
        self.challenge, self.secret = self.task.challenge(5)
        self.answers = answers_for(self.challenge)

    def score(self, answers, scoring, seed=99, task=None, secret=None):
        request = {
            "id": 1,
            "method": "score",
            "secret": self.secret if secret is None else secret,
            "answers": answers,
            "scoring": scoring,
            "seed": seed,
        }
        response = call(task or self.task, request)[1]
        self.assertNotIn("error", response)
        return response["result"]

    def test_independent_scores_equal_quality(self):
        result = self.score(self.answers, "independent")
        self.assertEqual(result["scoring"], "independent")
        self.assertEqual(result["scores"], result["quality"])
        own = [self.task.quality(self.secret, a) if a is not None else 0.0 for a in self.answers]
        self.assertEqual(result["quality"], own)
        self.assertGreater(result["quality"][0], result["quality"][1])

    def test_null_and_malformed_answers_score_0_either_way(self):
        for scoring in ("independent", "shapley"):
            result = self.score(self.answers, scoring)
            self.assertEqual(result["scores"][6:], [0.0, 0.0, 0.0], scoring)
            self.assertEqual(result["quality"][6:], [0.0, 0.0, 0.0], scoring)

    def test_shapley_scores_add_up_to_the_ensemble_and_copies_share(self):
        result = self.score(self.answers, "shapley")
        self.assertEqual(result["scoring"], "shapley")
        scores = result["scores"]
        self.assertTrue(all(s >= 0 for s in scores), scores)
        self.assertEqual(scores[0], scores[2])
        # The two copies together earn what one earns without the other.
        without_copy = self.score(self.answers[:2] + self.answers[3:], "shapley")["scores"]
        self.assertAlmostEqual(scores[0] + scores[2], without_copy[0], places=12)
        # With no negative values here, the scores add up to the quality of the ensemble of
        # every answer worth something, the copy counted once.
        playing = [
            (a, q) for i, (a, q) in enumerate(zip(self.answers, result["quality"])) if q > 0 and i != 2
        ]
        whole = self.task.quality(self.secret, self.task.combine(*zip(*playing)))
        self.assertAlmostEqual(sum(scores), whole, places=9)

    def test_a_task_that_cannot_combine_scores_independently(self):
        result = self.score([3, 9, None, "x"], "shapley", task=Parity(), secret=5)
        self.assertEqual(result["scoring"], "independent")
        self.assertEqual(result["scores"], [0.8, 0.6, 0.0, 0.0])
        self.assertEqual(result["scores"], result["quality"])

    def test_an_unknown_scoring_rule_is_an_error(self):
        request = {"id": 1, "method": "score", "secret": 5, "answers": [1], "scoring": "x", "seed": 1}
        response = call(Parity(), request)[1]
        self.assertIn("scoring must be one of shapley, independent", response["error"])


class TaskProcess(unittest.TestCase):
    def test_the_ranking_task_runs_under_pipes(self):
        process = support.start("examples/ranking_task.py")
        requests = [
            {"id": 1, "method": "info"},
            {"id": 2, "method": "challenge", "seed": 8},
        ]
        text = b"".join(json.dumps(r).encode() + b"\n" for r in requests)
        stdout, stderr = process.communicate(text, timeout=60)
        self.assertEqual(process.returncode, 0, stderr.decode())
        by_id = {r["id"]: r for r in map(json.loads, stdout.decode().splitlines())}
        challenge, secret = RankingTask().challenge(8)
        self.assertEqual(by_id[2]["result"], json.loads(json.dumps({"challenge": challenge, "secret": secret})))


if __name__ == "__main__":
    unittest.main()
