"""forcecheck: check use-of-force incident accounts against the text of a use-of-force policy.

The pipeline, one module per stage:

    policy:   parser (Lark) -> checker -> policy.verify_quotes -> compiler
    scenario: yamlsource -> scenario (pydantic, then the policy's vocabulary)
    check:    evaluate (verdicts and traces) -> report.text / report.json
"""

__version__ = "0.1.0"
