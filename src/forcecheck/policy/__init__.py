"""Stage 1, the policy: read a policy file, check it, prove its quotes, compile it.

`parser` (Lark, the only module that sees `lark.Tree`) -> `syntax` (the AST, frozen
dataclasses with spans) -> `checker` (names, types, constraints) -> `model` (the checked
policy) -> `compiler` (closures over a `World`) -> `cache` (checked policies kept as data,
never code) -> `load` (the front: shipped names, paths, quotes verified against the shipped
source text). Not to be confused with the data folder `policy/` at the repository root, which
holds the policy files and their source texts.
"""
