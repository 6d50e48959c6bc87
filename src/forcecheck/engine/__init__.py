"""Stage 2, the engine: exact verdicts over every completion of the unknown facts.

`exact` searches the completions the policy's constraints allow (with the read-once
shortcut) and gives each clause's possible verdicts; `analysis` asks what would settle an
undetermined verdict and which disputed facts separate two accounts.
"""
