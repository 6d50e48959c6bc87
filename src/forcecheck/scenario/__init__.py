"""Stage 3, the scenario: YAML with positions -> pydantic models -> checked against the
policy's vocabulary -> a `Scenario` of attributed accounts.

`yamlsource` reads YAML safely and keeps every value's line and column; `schema` holds the file
format as pydantic models; `vocabulary` checks them against the policy; `scenario` holds the
loaded accounts and builds their worlds; `load` runs these in turn. Beside them: `hypothesis`
(`--assume`), `lints` (warnings about a loaded scenario) and `editor_schema` (the JSON Schema).
"""
