"""Expectations written in scenario files, run as `forcecheck test` and as pytest items.

`runner` runs them and renders the outcomes; `expectations` compares verdicts with what a
scenario expects; `pytest_plugin` collects scenario files as pytest items.
"""
