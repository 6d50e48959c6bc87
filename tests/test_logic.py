"""Three-valued (Kleene) logic: unknown is a value, and it short-circuits correctly."""

import pytest

from forcecheck.policy.compiler import kleene_and, kleene_not, kleene_or

T, F, U = True, False, None


@pytest.mark.parametrize(("a", "b", "want"), [
    (T, T, T), (T, F, F), (T, U, U), (F, U, F), (U, F, F), (U, U, U), (F, F, F),
])
def test_and(a, b, want):
    assert kleene_and([a, b]) is want


@pytest.mark.parametrize(("a", "b", "want"), [
    (T, T, T), (T, F, T), (T, U, T), (U, T, T), (F, U, U), (U, U, U), (F, F, F),
])
def test_or(a, b, want):
    assert kleene_or([a, b]) is want


def test_not_keeps_unknown():
    assert kleene_not(U) is U
    assert kleene_not(T) is F


def test_empty_quantifiers():
    # "all" over nothing holds; "any" over nothing does not.
    assert kleene_and([]) is T
    assert kleene_or([]) is F


def test_false_short_circuits_without_evaluating_the_rest():
    def values():
        yield False
        raise AssertionError("evaluated past a false operand")

    assert kleene_and(values()) is F
