"""What the tests share: the package and examples on the import path, and subprocesses that
run the examples with this interpreter."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parent.parent
EXAMPLES = PYTHON_DIR / "examples"

for path in (str(PYTHON_DIR), str(EXAMPLES)):
    if path not in sys.path:
        sys.path.insert(0, path)

#: Why the scikit-learn tests cannot run, or None when they can.
SKLEARN_MISSING = next(
    (
        f"{name} is not installed (pip install scikit-learn numpy)"
        for name in ("numpy", "sklearn")
        if importlib.util.find_spec(name) is None
    ),
    None,
)


def start(*args: str) -> subprocess.Popen:
    """``python args...`` with pipes on all three streams and the package importable."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(PYTHON_DIR), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen(
        [sys.executable, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=PYTHON_DIR,
    )
