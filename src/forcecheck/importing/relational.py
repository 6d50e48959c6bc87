"""Relational input: joins, filters and derived fields, declared in the mapping, run by DuckDB.

A mapping with `tables`, `source`, `where` or `derive` (or `format: parquet`) has its records
read through one embedded SQL engine instead of row by row: the data file is the view `data`
(CSV with a header, JSON Lines or Parquet, with a column `_line`, the record's place in the
file), each of `tables` a view of its own (a path relative to the data file's folder),
`source` a query over them whose rows are the records (joins, `string_split`/`unnest`,
`GROUP BY`), `derive` columns computed from each row, and `where` a condition keeping some
rows. Every value reaches the mapping as text, as a CSV field would. DuckDB is the import's
one relational engine: there is no hand-written join or filter beside it.

DuckDB comes with the `relational` extra (`pip install 'forcecheck[relational]'`); a mapping
that needs it without it installed is a located error, and a mapping without these keys never
loads it. SQL errors are located at the mapping's key that holds the SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from forcecheck.diagnostics import Diagnostic, InputError
from forcecheck.importing.data import Row, open_data
from forcecheck.importing.mapping import Mapping

TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
BATCH = 1024  # rows fetched at a time: memory stays flat
READERS = {".csv": "read_csv({}, header = true, all_varchar = true)",
           ".tsv": "read_csv({}, header = true, all_varchar = true, delim = '\t')",
           ".jsonl": "read_json({}, format = 'newline_delimited')",
           ".json": "read_json({}, format = 'newline_delimited')",
           ".parquet": "read_parquet({})"}
FORMATS = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _where(mapping: Mapping) -> tuple:
    model = mapping.model
    key = next((k for k in ("source", "where", "derive", "tables") if getattr(model, k)), "format")
    return (key,)


def _error(mapping: Mapping, loc: tuple, message: str, hint: str | None) -> InputError:
    return InputError([Diagnostic(mapping.span(loc), "M017", message, hint)])


def connect(mapping: Mapping):
    try:
        import duckdb
    except ImportError:
        raise _error(mapping, _where(mapping), "this mapping reads its records through DuckDB "
                     "(tables, source, where, derive or Parquet), which is not installed",
                     "pip install 'forcecheck[relational]'") from None
    return duckdb, duckdb.connect(config={"threads": 2})


def _reader(mapping: Mapping, path: Path, loc: tuple, suffix: str | None = None) -> str:
    open_data(path).close()  # a regular file within the bounds, or M010
    template = READERS.get(suffix or path.suffix.lower())
    if template is None:
        raise _error(mapping, loc, f"'{path.name}' is not a file the import reads",
                     f"give a file ending in {', '.join(READERS)}")
    return template.format(_literal(str(path)))


def query(mapping: Mapping, data: Path) -> tuple[list[str], str]:
    """The statements that make the views, and the query whose rows are the records."""
    model = mapping.model
    views = [f"CREATE VIEW data AS SELECT *, row_number() OVER () AS _line FROM "
             f"{_reader(mapping, data, ('format',), FORMATS[model.format])}"]
    for name, rel in model.tables.items():
        if not TABLE_NAME.fullmatch(name) or name == "data":
            raise _error(mapping, ("tables", name), f"'{name}' cannot name a table",
                         "letters, digits and _, not 'data'")
        path = Path(rel) if Path(rel).is_absolute() else data.parent / rel
        views.append(f"CREATE VIEW {name} AS SELECT * FROM {_reader(mapping, path, ('tables', name))}")
    sql = f"SELECT * FROM ({model.source})" if model.source else "SELECT * FROM data"
    if model.derive:
        derived = ", ".join(f"({expr}) AS \"{name}\"" for name, expr in model.derive.items())
        sql = f"SELECT *, {derived} FROM ({sql})"
    if model.where:
        sql = f"SELECT * FROM ({sql}) WHERE ({model.where})"
    return views, sql


def relational_rows(mapping: Mapping, data: Path) -> Iterator[Row]:
    """(line, row, None) for each record the mapping's query gives, every value as text; the
    line is the record's place in the data file when the query keeps `_line`."""
    duckdb, con = connect(mapping)
    views, sql = query(mapping, data)
    try:
        for view in views:
            con.execute(view)
        columns = [d[0] for d in con.execute(f"SELECT * FROM ({sql}) LIMIT 0").description]
        order = " ORDER BY _line" if "_line" in columns else ""
        cursor = con.execute(f"SELECT * FROM ({sql}){order}")
    except duckdb.Error as exc:
        con.close()
        message = str(exc).strip().splitlines()[0]
        raise _error(mapping, _where(mapping), f"the mapping's query cannot run: {message}",
                     "the data is the view 'data'; tables by their names in 'tables'") from None
    return _fetched(con, cursor, columns, 2 if mapping.model.format == "csv" else 1)


def _fetched(con, cursor, columns: list[str], first: int) -> Iterator[Row]:
    line_at = columns.index("_line") if "_line" in columns else None
    n = 0
    try:
        while batch := cursor.fetchmany(BATCH):
            for values in batch:
                n += 1
                row = {c: "" if v is None else _text(v) for c, v in zip(columns, values, strict=True)}
                line = int(values[line_at]) + first - 1 if line_at is not None else n
                yield line, row, None
    finally:
        con.close()


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list):
        return ";".join("" if v is None else _text(v) for v in value)
    return str(value)
