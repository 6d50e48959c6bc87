"""A pytest plugin: scenario files are test items, so `pytest scenarios/` runs their expectations.

Registered through the `pytest11` entry point when forcecheck is installed. A YAML file is
collected when it has top-level `accounts:` and `expect:` keys. A failure is reported as the
same per-clause diff `forcecheck test` prints; a scenario that does not load shows its
diagnostics. A file is run under each shipped policy it holds expectations for, as one item
per policy (`step-aside-possible[doj-uof]`) when there are several; `--forcecheck-policy PATH`
runs every file under that one policy instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

_SCENARIO = re.compile(r"^accounts:", re.M)
_EXPECT = re.compile(r"^expect:", re.M)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("forcecheck")
    group.addoption("--forcecheck-policy", default=None, metavar="PATH",
                    help="policy for scenario tests (default: each shipped policy a file holds "
                    "expectations for)")


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    from forcecheck.diagnostics import InputError
    from forcecheck.files import read_bytes
    from forcecheck.scenario.yamlsource import MAX_BYTES

    try:
        head = read_bytes(file_path, MAX_BYTES, "S000", "scenario")[:200_000].decode("utf-8", "replace")
    except InputError:
        return None
    if _SCENARIO.search(head) and _EXPECT.search(head):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        from forcecheck.testing.runner import policies_expected

        if self.config.getoption("--forcecheck-policy") is not None:
            yield ScenarioItem.from_parent(self, name=self.path.stem, policy_id=None)
            return
        ids = policies_expected(self.path)
        for policy_id in ids:
            name = self.path.stem if len(ids) == 1 else f"{self.path.stem}[{policy_id}]"
            yield ScenarioItem.from_parent(self, name=name, policy_id=policy_id)


class ScenarioFailed(Exception):
    """The scenario's expectations are not what the policy gives, or it does not load."""


class ScenarioItem(pytest.Item):
    def __init__(self, *, policy_id: str | None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.policy_id = policy_id  # None: the policy --forcecheck-policy names

    def runtest(self) -> None:
        from forcecheck.diagnostics import InputError
        from forcecheck.policy.load import load_policy
        from forcecheck.testing.runner import run_one

        if self.policy_id is not None:
            self.outcome = run_under(self.policy_id, self.path)
            if not self.outcome.passed:
                raise ScenarioFailed()
            return
        try:
            compiled = load_policy(self.config.getoption("--forcecheck-policy"))
        except InputError as exc:
            from forcecheck.diagnostics import render_all

            raise ScenarioFailed("the policy does not load:\n" + render_all(exc.diagnostics)) from None
        self.outcome = run_one(compiled, self.path)
        if not self.outcome.passed:
            raise ScenarioFailed()

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailed):
            if excinfo.value.args:
                return str(excinfo.value.args[0])
            from forcecheck.testing.runner import render_outcomes

            text = render_outcomes([self.outcome])
            return text.rsplit("\n\n", 1)[0]  # without the one-line tally
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"scenario {self.path.name}"


_SHIPPED = None


def run_under(policy_id: str, path: Path):
    """The file's outcome under the shipped policy with this id (the policies loaded once)."""
    global _SHIPPED
    from forcecheck.testing.runner import ShippedPolicies, run, run_one

    if _SHIPPED is None:
        _SHIPPED = ShippedPolicies()
    compiled = _SHIPPED.get(policy_id)
    if compiled is None:  # not shipped: the runner says so
        return next(o for o in run(None, [path]) if o.policy == policy_id)
    return run_one(compiled, path)
