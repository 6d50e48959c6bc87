"""Stage 4, the evaluation: every clause, item and account to a verdict with its trace,
the disputes between accounts and the questions that would settle what is undetermined.
"""
