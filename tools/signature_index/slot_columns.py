"""What one input slot (env var) of a bundle reads, and what it cannot do without.

Which columns a slot *uses*: the slot's source is the one whose `file:` is `${ENV_VAR}`; the
transformations fed by it (through `source:`, or `sources:` of a join or union) are followed
to a fixed point. A column is used if a sample header of the slot (or the source's `columns:`
list) has it and one of these names it: the source's `columns:`/`optional_fields:`/`expect:`,
or any key, list item, value, `{{ }}` identifier or quoted literal in those transformations.

Which columns are *required* (conservative: only a column whose absence surely stops the run):
a used column that is
  1. named where earthmover fails on a missing column, in a transformation whose main
     `source:` chain comes from the slot: `keep_columns`, `combine_columns`, `group_by`
     (group_by_columns), `melt` (id_vars/value_vars), the keys of `rename_columns`,
     `duplicate_columns`, `modify_columns`, the `column(s)` of `date_format` and `map_values`,
     `left_key(s)` of a join, an identifier of a `filter_rows` query, or the source's `expect:`;
  2. not in the source's `optional_fields` (earthmover adds those empty), not inside a Jinja
     `{% if %}`/`{% for %}` block and not a `{{ }}` pattern (another year or format may not
     have it);
  3. present in *every* sample file of the slot (the bundle runs on each sample it ships).
The student ID is required as a group (any one of POSSIBLE_STUDENT_ID_COLUMNS) for the main
slot only (INPUT_FILE, else the first), and only if every sample of it has one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from runway_desktop.bundles.identify import (
    DATE_FORMATS,
    HeaderSample,
    parse_date,
    parse_school_year,
    read_header_sample,
)
from runway_desktop.bundles.signatures import column_key, column_shape
from signature_index.bundle_yaml import Cond

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUOTED = re.compile(r"""'([^'\n]+)'|"([^"\n]+)\"""")
_STRICT_LISTS = {
    "keep_columns": ("columns",),
    "combine_columns": ("columns",),
    "group_by": ("group_by_columns",),
    "melt": ("id_vars", "value_vars"),
    "date_format": ("column", "columns"),
    "map_values": ("column", "columns"),
    "join": ("left_key", "left_keys"),
}
_STRICT_KEYS = ("rename_columns", "duplicate_columns", "modify_columns")
_DATE_NAME = re.compile(r"date|dte|time|taken|tested|completed|admin")
_YEAR_NAME = re.compile(r"year|yr|term")
_NOT_TEST_DATE = re.compile(
    r"birth|dob|bday|born|enrol|entry|exit|withdr|gradu|cohort|inus|schoolyear(start|end)|age"
)
SAMPLE_ROWS = 50


def _walk(node: Any) -> list[str]:
    """Every key and scalar under a node."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (str(k), *_walk(v))]
    if isinstance(node, list):
        return [s for item in node for s in _walk(item)]
    return [] if node is None else [str(node)]


def _mentions(strings: list[str]) -> set[str]:
    """Column keys the strings may name: each string, its identifiers and quoted literals."""
    keys: set[str] = set()
    for text in strings:
        pieces = [text, *_IDENT.findall(text)]
        pieces += [a or b for a, b in _QUOTED.findall(text)]
        keys.update(column_key(p) for p in pieces)
    return keys - {""}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _strict_names(op: dict[str, Any]) -> list[str]:
    """Names in an operation that fail the run when the column is missing."""
    kind = str(op.get("operation", ""))
    names = [v for field in _STRICT_LISTS.get(kind, ()) for v in as_list(op.get(field))]
    if kind in _STRICT_KEYS and isinstance(op.get("columns"), dict):
        names += list(op["columns"])
    if kind == "filter_rows":
        query = op.get("query")
        if isinstance(query, str) and not isinstance(query, Cond):
            names += [Cond(n) if "{" in query else n for n in _IDENT.findall(query)]
    return [n for n in names if isinstance(n, str) and not isinstance(n, Cond) and "{" not in n]


def _derived(transformations: dict[str, Any], sources: set[str]) -> tuple[list[Any], list[Any]]:
    """(transformations on the slot's main chain, all transformations touching its data)."""
    main: set[str] = set()
    touched: set[str] = set()
    feeds = {f"$sources.{s}" for s in sources}
    while True:
        before = len(main), len(touched)
        for name, node in transformations.items():
            if not isinstance(node, dict):
                continue
            if str(node.get("source", "")).strip() in feeds:
                main.add(name)
            if feeds & {s.strip() for s in _walk(node.get("operations"))}:
                touched.add(name)
        touched |= main
        feeds |= {f"$transformations.{n}" for n in touched}
        if (len(main), len(touched)) == before:
            break
    pick = [transformations[n] for n in sorted(main)], [transformations[n] for n in sorted(touched)]
    return pick


def _date_and_year_columns(
    headers: list[HeaderSample], used: set[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """Test-date and school-year columns, one per shape ("Fall/Winter … Final Date"): those the
    bundle names if any, else (FastBridge reads them through patterns) any the samples have."""
    values: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for sample in headers:
        for i, name in enumerate(sample.columns):
            key, shape = column_key(name), column_shape(name)
            dated = _DATE_NAME.search(key) or _YEAR_NAME.search(key)
            if dated and not _NOT_TEST_DATE.search(key):
                if key in used or shape not in names:
                    names[shape] = name.strip() if key in used else names.get(shape, name.strip())
                column = values.setdefault(shape, [])
                column += [r[i].strip() for r in sample.rows if i < len(r) and r[i].strip()]
    named = {s for s, n in names.items() if column_key(n) in used}
    dates: dict[str, list[str]] = {}
    years: list[str] = []
    for shape in named or names:
        seen, name = values[shape], names[shape]
        if not seen:
            continue
        key = column_key(name)
        if _YEAR_NAME.search(key) and _share(seen, lambda v: parse_school_year(v) is not None):
            years.append(name)
        elif _DATE_NAME.search(key):
            formats = [f for f in DATE_FORMATS if _share(seen, lambda v, f=f: parse_date(v, [f]))]
            if formats:
                dates[name] = formats
    return dates, sorted(years)


def _share(values: list[str], test: Any) -> bool:
    return sum(1 for v in values if test(v)) >= 0.8 * len(values)


def slot_entry(
    bundle: Path,
    env: str,
    meta: dict[str, Any],
    em: dict[str, Any],
    files: list[Path],
    is_main: bool,
) -> dict[str, Any]:
    """The index entry of slot ``env``: its columns used and required (see above), student
    ID, date and school-year columns, and the layout of each sample file ``files``."""
    sources = {
        n: s
        for n, s in (em.get("sources") or {}).items()
        if isinstance(s, dict) and str(s.get("file", "")).strip() == f"${{{env}}}"
    }
    chain, touched = _derived(em.get("transformations") or {}, set(sources))
    listed = [c for s in sources.values() for c in as_list(s.get("columns")) if isinstance(c, str)]
    optional = {column_key(c) for s in sources.values() for c in as_list(s.get("optional_fields"))}
    keys = _mentions(
        [s for src in sources.values() for s in _walk(src)] + [s for t in touched for s in _walk(t)]
    )
    headers = [read_header_sample(p, max_rows=SAMPLE_ROWS) for p in files]
    names: dict[str, str] = {}
    for header in headers:
        for name in (*(() if header.fixed_width else header.columns), *listed):
            if column_key(name):
                names.setdefault(column_key(name), name.strip())
    # Not an export (SC_Alternate_Assessment's columns_by_year.csv lists columns per year).
    named = [h.fixed_width or any(column_key(c) in keys for c in h.columns) for h in headers]
    if any(ok and not h.fixed_width for h, ok in zip(headers, named, strict=True)):
        headers = [h for h, ok in zip(headers, named, strict=True) if ok]
    used = set(names) & keys
    strict = {
        column_key(n)
        for t in chain
        for op in as_list(t.get("operations"))
        if isinstance(op, dict)
        for n in _strict_names(op)
    }
    for src in sources.values():
        strict |= {
            column_key(n)
            for e in as_list(src.get("expect"))
            if isinstance(e, str) and not isinstance(e, Cond)
            for n in _IDENT.findall(e)
        }
    with_header = [h for h in headers if not h.fixed_width]
    in_all = (
        set.intersection(*({column_key(c) for c in h.columns} for h in with_header))
        if (with_header)
        else set()
    )
    required = (strict & used & in_all) - optional
    params = (em.get("config") or {}).get("parameter_defaults") or {}
    ids = [i.strip() for i in str(params.get("POSSIBLE_STUDENT_ID_COLUMNS", "")).split(",")]
    ids = [i for i in ids if i] if is_main else []
    id_keys = {column_key(i) for i in ids}
    id_needed = bool(ids and with_header) and all(
        id_keys & {column_key(c) for c in h.columns} for h in with_header
    )
    dates, years = _date_and_year_columns(with_header, used)
    return {
        "display_name": meta.get("display_name") or humane_name(env),
        "is_required": bool(meta.get("is_required", is_main)),
        "file_types": sorted(
            meta.get("file_type") or {p.suffix.lstrip(".").lower() for p in files} or ["csv"]
        ),
        "used": sorted(names[k] for k in used),
        "required": sorted(names[k] for k in required),
        "student_id_columns": ids,
        "student_id_required": id_needed,
        "date_columns": dates,
        "year_columns": years,
        "samples": [_layout(h) for h in headers],
    }


def humane_name(env: str) -> str:
    rest = env.removeprefix("INPUT_FILE").strip("_").replace("_", " ").lower()
    return rest.capitalize() if rest else "Assessment data"


def _layout(header: HeaderSample) -> dict[str, Any]:
    shapes = sorted({column_shape(c) for c in header.columns} - {""})
    return {
        "file": header.path.name,
        "delimiter": header.delimiter,
        "encoding": header.encoding,
        "header_row": header.header_row,
        "columns": 0 if header.fixed_width else sum(1 for c in header.columns if column_key(c)),
        "record_length": len(header.columns[0]) if header.fixed_width else None,
        "shapes": [] if header.fixed_width else shapes,
    }
