"""Checked records as a table: one row per record and clause, written as Parquet through the
import's relational engine (DuckDB), for pandas and polars users.

Columns: `path`, `scenario`, `database`, `record` (its id), `policy`, `clause`, `status` (as
the corpus report counts it: breached, breach_possible, undetermined, met, not_applicable),
`verdicts` (account=verdict, ...), `codes` (the record's codes, `;`-separated) and one column
per imported field (`field_<name>`). Lines that are not records are left out, as the corpus
report counts them.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from forcecheck.diagnostics import Diagnostic, InputError


def rows(records: Path):
    """One dict per record and clause."""
    from forcecheck.report.corpus import parse_record, record_lines, status
    from forcecheck.report.documents import Record

    with records.open(encoding="utf-8", errors="replace") as f:
        for n, line in record_lines(f):
            if line is not None and not line.strip():
                continue
            try:
                rec = parse_record(line, str(records), n)
            except InputError:
                continue
            if not isinstance(rec, Record):
                continue
            imported = rec.record
            fields = {f"field_{k}": v for k, v in (imported.fields if imported else {}).items()}
            for clause, by in rec.verdicts.items():
                yield {"path": rec.path, "scenario": rec.scenario,
                       "database": imported.database if imported else None,
                       "record": imported.id if imported else None, "policy": rec.policy.id,
                       "clause": clause, "status": status(rec, clause),
                       "verdicts": ", ".join(f"{a}={v}" for a, v in by.items()),
                       "codes": ";".join(imported.codes) if imported else "", **fields}


def write_parquet(records: Path, output: Path) -> int:
    """Write the table; the number of rows written."""
    try:
        import duckdb
    except ImportError:
        raise InputError([Diagnostic(None, "U003", "--parquet needs DuckDB, which is not installed",
                                     "pip install 'forcecheck[relational]'")]) from None
    if str(records) == "-":
        raise InputError([Diagnostic(None, "U009", "--parquet reads the records file twice: give a file, "
                                     "not '-'")])
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        flat = Path(tmp) / "rows.jsonl"
        with flat.open("w", encoding="utf-8") as fh:
            for row in rows(records):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
        con = duckdb.connect()
        try:
            source = "read_json(?, format = 'newline_delimited', union_by_name = true)"
            if n:
                con.execute(f"COPY (SELECT * FROM {source}) TO '{_quoted(output)}' (FORMAT parquet)",
                            [str(flat)])
            else:
                con.execute(f"COPY (SELECT NULL AS path WHERE false) TO '{_quoted(output)}' (FORMAT parquet)")
        except duckdb.Error as exc:
            raise InputError([Diagnostic(None, "U003", f"cannot write '{output}': "
                                         f"{str(exc).splitlines()[0]}")]) from None
        finally:
            con.close()
    return n


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
