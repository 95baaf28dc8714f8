"""Miners as yuma sees them: example programs over real pipes, and a model over real HTTP."""

import http.client
import json
import threading
import unittest

import support
from ranking_task import RankingTask
from yuma_subnet import http_server


def converse(process, requests):
    """Writes ``requests`` (objects or raw lines), closes stdin, and returns the responses
    by id (None for id-less errors, as a list), stderr, and the exit code."""
    text = b"".join(
        (r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in requests
    )
    stdout, stderr = process.communicate(text, timeout=120)
    by_id = {}
    for line in stdout.decode().splitlines():
        response = json.loads(line)  # every stdout line is a JSON object
        by_id.setdefault(response["id"], []).append(response)
    return by_id, stderr.decode(), process.returncode


class RankingMinerProcess(unittest.TestCase):
    def test_answers_info_and_challenges_then_exits_0_at_the_end_of_stdin(self):
        task = RankingTask()
        challenges = {i: task.challenge(i) for i in range(10, 16)}
        requests = [{"id": 1, "method": "info"}]
        requests += [
            {"id": i, "method": "solve", "challenge": c, "timeout_ms": 5000}
            for i, (c, _) in challenges.items()
        ]
        requests += [
            b"this is not json",
            {"id": 2, "method": "train"},
            {"id": 3, "method": "solve", "challenge": {"rows": []}},
        ]
        process = support.start("examples/ranking_miner.py", "--quality", "good")
        by_id, stderr, code = converse(process, requests)
        self.assertEqual(code, 0, stderr)
        self.assertEqual(by_id[1], [{"id": 1, "result": {"protocol": 1, "name": "ranking-good"}}])
        for i, (_, secret) in challenges.items():
            (response,) = by_id[i]
            self.assertGreater(task.quality(secret, response["answer"]), 0.7, response)
        self.assertIn("not valid JSON", by_id[None][0]["error"])
        self.assertEqual(by_id[2], [{"id": 2, "error": 'unknown method "train"'}])
        self.assertIn("readings", by_id[3][0]["error"])

    def test_a_model_that_prints_does_not_break_stdout(self):
        script = (
            "from yuma_subnet import serve\n"
            "def model(c):\n"
            "    print('thinking about', c)\n"
            "    return c * 2\n"
            "serve(model)\n"
        )
        process = support.start("-c", script)
        by_id, stderr, code = converse(process, [{"id": 4, "method": "solve", "challenge": 21}])
        self.assertEqual(code, 0, stderr)
        self.assertEqual(by_id[4], [{"id": 4, "answer": 42}])
        self.assertIn("thinking about 21", stderr)


@unittest.skipIf(support.SKLEARN_MISSING, support.SKLEARN_MISSING or "")
class SklearnMinerProcess(unittest.TestCase):
    def test_models_answer_tabular_tasks_at_their_levels(self):
        from tabular_task import TabularTask

        task = TabularTask()
        # Seed 0 draws a regression task, seed 3 a classification task.
        drawn = [task.challenge(seed) for seed in (0, 3)]
        self.assertEqual([c["kind"] for c, _ in drawn], ["regression", "classification"])
        quality = {}
        for model in ("gbm", "linear", "constant"):
            process = support.start("examples/sklearn_miner.py", "--model", model)
            requests = [
                {"id": n, "method": "solve", "challenge": c, "timeout_ms": 60000}
                for n, (c, _) in enumerate(drawn)
            ]
            by_id, stderr, code = converse(process, requests)
            self.assertEqual(code, 0, stderr)
            quality[model] = [task.quality(s, by_id[n][0]["answer"]) for n, (_, s) in enumerate(drawn)]
        for n in range(len(drawn)):
            self.assertGreater(quality["gbm"][n], quality["linear"][n], quality)
            self.assertEqual(quality["constant"][n], 0.0, quality)
        self.assertGreater(quality["gbm"][0], 0.5, quality)


class Http(unittest.TestCase):
    def setUp(self):
        def model(challenge):
            if challenge == "refuse":
                raise ValueError("not my kind of challenge")
            return {"doubled": challenge * 2}

        self.server = http_server(model, port=0, max_body=1000)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.port = self.server.server_address[1]

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def post(self, body: bytes, path: str = "/solve"):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", path, body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def test_the_answer_comes_back_with_200(self):
        self.assertEqual(self.post(b"21"), (200, {"doubled": 42}))

    def test_a_refused_challenge_is_422_with_the_reason(self):
        with self.assertLogs("yuma_subnet", "WARNING"):
            response = self.post(b'"refuse"')
        self.assertEqual(response, (422, {"error": "ValueError: not my kind of challenge"}))

    def test_bad_bodies_and_paths_are_client_errors(self):
        status, body = self.post(b"{oops")
        self.assertEqual(status, 400)
        self.assertIn("not valid JSON", body["error"])
        status, body = self.post(b"[" + b"1," * 600 + b"1]")
        self.assertEqual(status, 413)
        self.assertIn("exceeds 1000", body["error"])
        self.assertEqual(self.post(b"1", path="/other")[0], 404)

    def test_the_server_listens_on_localhost_only_by_default(self):
        self.assertEqual(self.server.server_address[0], "127.0.0.1")


if __name__ == "__main__":
    unittest.main()
