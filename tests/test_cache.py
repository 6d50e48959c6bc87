"""The on-disk cache only ever saves time: a corrupt or stale entry is never trusted."""

import shutil

from forcecheck import cache, policy

from conftest import POLICY_DIR


def fresh_load(path):
    policy._load.cache_clear()
    return policy.load_policy(path)


def test_corrupt_cache_entries_are_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    first = fresh_load(None)
    entries = list((tmp_path / "c" / "forcecheck").iterdir())
    assert any(p.name.startswith("policy-") for p in entries)
    for p in entries:
        p.write_bytes(b"not a pickle")
    again = fresh_load(None)
    assert [c.id for c in again.policy.clauses] == [c.id for c in first.policy.clauses]


def test_a_changed_policy_is_not_served_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    copy = tmp_path / "dhs"
    shutil.copytree(POLICY_DIR, copy)
    before = fresh_load(copy)
    rules = copy / "policy.rules"
    rules.write_text(rules.read_text().replace('title "Safe tactics:', 'title "Tactics:'))
    after = fresh_load(copy)
    assert before.policy.clause("safe-tactics").title.startswith("Safe tactics:")
    assert after.policy.clause("safe-tactics").title.startswith("Tactics:")


def test_cache_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("FORCECHECK_NO_CACHE", "1")
    assert cache.folder() is None
    assert cache.load("anything") is None
