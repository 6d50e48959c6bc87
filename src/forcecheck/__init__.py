"""forcecheck: check use-of-force incident accounts against the text of a use-of-force policy.

The library's front door (see docs/api.md)::

    import forcecheck
    result = forcecheck.check("scenarios/real/minneapolis-2026-01-07.yaml", policy="dhs")
    result.to_records()      # one dict per clause and account
    result.render("markdown")

The pipeline, one package per stage, each importing only from the stages before it:

    policy/      parse (Lark) -> check -> model -> compile -> cache; load proves the quotes
    engine/      reads, constraints, exact verdicts over the completions, analysis
    scenario/    YAML with positions -> pydantic schema -> vocabulary -> attributed accounts
    evaluation/  verdicts, traces, disputes and questions (results.py) at two depths
    report/      documents built from results, one renderer per format (render.py)
    api.py       load_policy, load_scenario, check: the pipeline spelled once
    batch.py, testing/, importing/, authoring/, then cli/, the command line, a client of api
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from forcecheck.version import __version__

if TYPE_CHECKING:
    from forcecheck.api import InputError, Result, Verdict, check, load_policy, load_scenario, render

__all__ = ["InputError", "Result", "Verdict", "__version__", "check", "load_policy", "load_scenario",
           "render"]


def __getattr__(name: str) -> object:
    """The front door's names, imported from `api` when first used: the command line (which
    imports this package first) starts without them."""
    if name in __all__:
        from forcecheck import api

        return getattr(api, name)
    raise AttributeError(f"module 'forcecheck' has no attribute {name!r}")
