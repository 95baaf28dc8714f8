"""The framing: one JSON object per line, out-of-order answers, errors that keep the program
running, the end of input."""

import io
import json
import threading
import unittest
from unittest import mock

import support  # noqa: F401  (puts the package on the path)
from yuma_subnet import protocol
from yuma_subnet.protocol import serve_lines


def exchange(handlers, text: bytes, workers: int = 4):
    """Serves ``text`` to the end and returns the responses, in the order written."""
    out = io.BytesIO()
    serve_lines(handlers, io.BytesIO(text), out, workers)
    lines = out.getvalue().decode().splitlines()
    return [json.loads(line) for line in lines]


def echo(request):
    return {"result": request.get("value")}


class Framing(unittest.TestCase):
    def test_answers_come_back_out_of_order_when_a_later_request_finishes_first(self):
        fast_done = threading.Event()

        def slow(request):
            # Returns only once the request sent after it has been answered.
            if not fast_done.wait(timeout=10):
                raise TimeoutError("the fast request never ran")
            return {"result": "slow"}

        def fast(request):
            return {"result": "fast"}

        class Signalling(io.BytesIO):
            def write(self, data):
                n = super().write(data)
                if b'"fast"' in data:
                    fast_done.set()
                return n

        out = Signalling()
        text = b'{"id": 1, "method": "slow"}\n{"id": 2, "method": "fast"}\n'
        serve_lines({"slow": slow, "fast": fast}, io.BytesIO(text), out, workers=2)
        responses = [json.loads(line) for line in out.getvalue().decode().splitlines()]
        self.assertEqual(responses, [{"id": 2, "result": "fast"}, {"id": 1, "result": "slow"}])

    def test_one_worker_answers_in_order(self):
        text = b"".join(b'{"id": %d, "method": "echo", "value": %d}\n' % (i, i) for i in range(20))
        responses = exchange({"echo": echo}, text, workers=1)
        self.assertEqual(responses, [{"id": i, "result": i} for i in range(20)])

    def test_a_bad_line_is_answered_and_the_next_one_served(self):
        text = (
            b"{not json\n"
            b"[1, 2]\n"
            b'{"method": "echo"}\n'
            b'{"id": "7", "method": "echo"}\n'
            b"\n"
            b'{"id": 3, "method": "echo", "value": "still here"}\n'
        )
        responses = exchange({"echo": echo}, text, workers=1)
        self.assertEqual([r["id"] for r in responses], [None, None, None, None, 3])
        self.assertIn("not valid JSON", responses[0]["error"])
        self.assertIn("not a JSON object", responses[1]["error"])
        self.assertIn("no integer id", responses[2]["error"])
        self.assertEqual(responses[4], {"id": 3, "result": "still here"})

    def test_unknown_method_is_an_error_for_its_id(self):
        responses = exchange({"echo": echo}, b'{"id": 5, "method": "fly"}\n{"id": 6}\n', workers=1)
        self.assertEqual(responses[0], {"id": 5, "error": 'unknown method "fly"'})
        self.assertEqual(responses[1], {"id": 6, "error": "unknown method null"})

    def test_a_failing_handler_answers_its_request_with_the_reason(self):
        def broken(request):
            raise ValueError("no model loaded")

        def nan(request):
            return {"answer": float("nan")}

        text = b'{"id": 1, "method": "broken"}\n{"id": 2, "method": "nan"}\n'
        with self.assertLogs("yuma_subnet", "WARNING") as logged:
            responses = exchange({"broken": broken, "nan": nan}, text, workers=1)
        self.assertIn("broken request 1 failed", logged.output[0])
        self.assertEqual(responses[0], {"id": 1, "error": "ValueError: no model loaded"})
        self.assertEqual(responses[1]["id"], 2)
        self.assertIn("not valid JSON", responses[1]["error"])

    def test_a_line_over_the_limit_is_skipped_to_its_end(self):
        with mock.patch.object(protocol, "MAX_LINE", 64):
            text = b'{"id": 1, "method": "echo", "value": "' + b"x" * 300 + b'"}\n'
            text += b'{"id": 2, "method": "echo", "value": 2}\n'
            responses = exchange({"echo": echo}, text, workers=1)
        self.assertEqual(responses[0]["id"], None)
        self.assertIn("exceeds 64 bytes", responses[0]["error"])
        self.assertEqual(responses[1], {"id": 2, "result": 2})

    def test_the_end_of_input_returns_after_the_requests_in_flight(self):
        at_end = threading.Event()

        class Input(io.BytesIO):
            def readline(self, size=-1):
                line = super().readline(size)
                if not line:
                    at_end.set()
                return line

        def slow(request):
            # Still running when the input has ended.
            if not at_end.wait(timeout=10):
                raise TimeoutError("input never ended")
            return {"result": "done"}

        out = io.BytesIO()
        serve_lines({"slow": slow}, Input(b'{"id": 1, "method": "slow"}'), out, workers=2)
        self.assertEqual(json.loads(out.getvalue()), {"id": 1, "result": "done"})
        self.assertEqual(exchange({}, b""), [])

if __name__ == "__main__":
    unittest.main()
