"""Stage 3, the scenario: YAML with positions -> pydantic models -> checked against the
policy's vocabulary -> a `Scenario` of attributed accounts.

`yamlsource` reads YAML safely and keeps every value's line and column; `load` validates it
and builds the accounts' worlds.
"""
