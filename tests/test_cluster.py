"""A batch on a dask cluster (`check --engine dask`): the same records, in the same order, with
the same diagnostics and exit code as the local batch; and clear usage errors when dask is
missing or the options do not fit."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, SCENARIOS

TEACHING = SCENARIOS / "teaching"


def _inputs(tmp_path):
    """The teaching scenarios and some that cannot be checked (bad YAML, not UTF-8, an unknown
    action, over the size limit) in a folder, and a JSON Lines file of scenarios with a bad line."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for path in sorted(TEACHING.glob("*.yaml")):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "zz-bad-yaml.yaml").write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    (folder / "zz-not-utf8.yaml").write_bytes(b"id: caf\xe9\n")
    draw = (TEACHING / "draw-only.yaml").read_text(encoding="utf-8")
    (folder / "zz-unknown-action.yaml").write_text(draw.replace("action: unholster_firearm", "action: fly"),
                                                   encoding="utf-8")
    (folder / "zz-too-large.yaml").write_text("# x\n" * 300_000, encoding="utf-8")
    import yaml

    lines = [json.dumps(yaml.safe_load(p.read_text(encoding="utf-8")))
             for p in sorted(TEACHING.glob("*.yaml"))[:12]]
    lines.insert(5, '{"id": "broken", "people": [}')
    (tmp_path / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder, tmp_path / "records.jsonl"


@pytest.mark.slow  # a LocalCluster of two worker processes, and a process pool
def test_a_dask_cluster_writes_the_bytes_the_local_batch_writes(tmp_path):
    folder, records = _inputs(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    base = [sys.executable, "-m", "forcecheck", "check", str(folder), str(records), "--format", "json"]
    local, dask = (subprocess.run([*base, *extra], capture_output=True, text=True, env=env, check=False,
                                  cwd=tmp_path, timeout=300)
                   for extra in (["--jobs", "2"], ["--engine", "dask", "--jobs", "2"]))
    assert local.returncode == 2  # some files could not be checked
    assert (dask.returncode, dask.stdout, dask.stderr) == (local.returncode, local.stdout, local.stderr)
    recs = [json.loads(line) for line in dask.stdout.splitlines()]
    assert len(recs) == len(list(TEACHING.glob("*.yaml"))) + 4 + 13
    assert [r["path"] for r in recs[-13:]] == [f"records.jsonl:{i}" for i in range(1, 14)]
    assert "errors" in recs[-8] and "verdicts" in recs[-9]
    for name in ("zz-bad-yaml.yaml:3:1", "zz-not-utf8.yaml:1:8", "zz-unknown-action.yaml",
                 "zz-too-large.yaml"):
        assert f"scenarios/{name}" in dask.stderr, name
    assert "|     action: fly\n" in dask.stderr and "^^^" in dask.stderr  # the bad line shown, with a caret
    assert "Traceback" not in dask.stderr


def test_without_dask_the_engine_is_a_usage_error_with_the_install_hint(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` fails
    run = cli("check", str(TEACHING), "--engine", "dask", "--format", "json")
    assert run.code == 2 and run.out == ""
    assert "error[U014]: --engine dask: dask's distributed scheduler is not installed" in run.err
    assert "pip install 'forcecheck[dask]'" in run.err and "Traceback" not in run.err


@pytest.mark.parametrize(("args", "said"), [
    (["--engine", "spark"], ["'local'", "'dask'"]),
    (["--scheduler", "tcp://127.0.0.1:8786"], ["U014", "it goes with --engine dask"]),
    (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:8786", "--jobs", "2"], ["U014", "--jobs sets"]),
    (["--engine", "dask", "--format", "html"], ["U008"]),
    (["--engine", "dask", "--assume", "shots.subject_fleeing=yes"], ["U008"]),
])
def test_engine_options_that_do_not_fit_are_usage_errors(cli, args, said):
    run = cli("check", str(TEACHING), *args)
    assert run.code == 2 and run.out == "" and "Traceback" not in run.err
    assert all(s in run.err for s in said), run.err


def test_a_partition_whose_workers_all_died_gets_error_records_in_its_places(compiled):
    """dask gives a dead worker's partition to another worker; a partition that killed every
    worker it was given to (KilledWorker) gets the local batch's B001 records, and an item that
    could not be read keeps its own error, in input order."""
    pytest.importorskip("distributed")
    from collections import deque

    from distributed import KilledWorker

    from forcecheck import batch, cluster

    class Dead:
        def result(self):
            raise KilledWorker("task", "tcp://127.0.0.1:1", 3)

    unread = batch.Unread(tuple(batch.jsonl_items(ROOT / "no-such.jsonl"))[0][1].diagnostics)
    part = [("a.yaml", "text", True), ("no-such.jsonl", unread, False), ("b.yaml", "text", True)]
    out = cluster._first(deque([(part, Dead())]), compiled, batch.Options())
    assert [o.path for o in out] == ["a.yaml", "no-such.jsonl", "b.yaml"]
    assert [json.loads(o.line)["errors"][0]["code"] for o in out] == ["B001", "S000", "B001"]
    assert all(o.status == "error" for o in out)


def test_a_check_does_not_import_dask():
    """Start-up: dask is imported by `--engine dask` only, not by `check` or a local batch."""
    from test_cli import loaded_after

    for args in (["check", str(TEACHING / "aim-only.yaml"), "--format", "json"],
                 ["check", str(TEACHING), "--jobs", "1", "--format", "json"]):
        assert loaded_after(args, ("dask", "distributed", "forcecheck.cluster")) == [], args


def test_a_worker_needs_neither_the_files_nor_the_policy_folder(compiled):
    """What a worker is sent is enough: the policy as data, compiled there, and each file's
    text, from which a diagnostic shows its line (the file is not where the worker runs)."""
    from forcecheck import batch, cluster

    draw = (TEACHING / "draw-only.yaml").read_text(encoding="utf-8")
    bad = draw.replace("action: unholster_firearm", "action: fly")
    items = [("elsewhere/draw.yaml", draw, True), ("elsewhere/bad.yaml", bad, True)]
    out = cluster._partition(compiled.policy, batch.Options(), items)
    local = batch.check_one(compiled, "elsewhere/draw.yaml", draw, batch.Options())
    assert out[0] == local
    assert out[1].status == "error" and "|     action: fly\n" in out[1].diagnostics
