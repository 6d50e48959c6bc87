"""Stage 2, the engine: exact verdicts over every completion of the unknown facts.

`reads` says how a world is read and records which facts a closure reads; `constraints`
holds the policy's constraints between facts and decides which completions they allow;
`exact` searches those completions (with the read-once shortcut) for each clause's possible
verdicts; `analysis` asks what would settle an undetermined verdict and which disputed facts
separate two accounts.
"""
