"""A tabular-subnet model outside yuma: one-nearest-neighbour in plain Python, served over the
JSON Lines backend protocol (one request per line on stdin, one answer per line on stdout)."""
import json
import sys


def predict(challenge):
    train_x, train_y = challenge["train_x"], challenge["train_y"]
    if not train_x:
        raise ValueError("no training rows")

    def nearest(row):
        best = min(
            range(len(train_x)),
            key=lambda i: sum((a - b) ** 2 for a, b in zip(train_x[i], row)),
        )
        return train_y[best]

    return {"predictions": [nearest(row) for row in challenge["test_x"]]}


print("nearest-neighbour model ready", file=sys.stderr, flush=True)
for line in sys.stdin:
    request = json.loads(line)
    try:
        reply = {"id": request["id"], "answer": predict(request["challenge"])}
    except Exception as e:  # the miner relays the reason as a refusal
        reply = {"id": request["id"], "error": str(e)}
    print(json.dumps(reply), flush=True)
