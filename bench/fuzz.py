"""The long fuzz run: the properties of tests/test_fuzz.py with many random examples.

    python bench/fuzz.py [EXAMPLES]      # default 500 per property (hostile strings: a third)

The suite runs the same properties derandomized at 25 examples; this run draws new random
examples each time, so it finds what the fixed set does not. It prints pytest's summary and
hypothesis's statistics; any failure is shown with the smallest example hypothesis found.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    examples = sys.argv[1] if len(sys.argv) > 1 else "500"
    env = {**os.environ, "FORCECHECK_FUZZ_EXAMPLES": examples, "FORCECHECK_FUZZ_RANDOM": "1"}
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            str(ROOT / "tests" / "test_fuzz.py"), "--hypothesis-show-statistics"],
                           cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
