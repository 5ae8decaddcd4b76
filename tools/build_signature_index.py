"""Derive resources/signatures.json from a snapshot of edanalytics/earthmover_edfi_bundles.

    .venv/bin/python tools/build_signature_index.py [--snapshot DIR] [--out FILE] [--check]

The index is derived from Apache-2.0 work, so it ships with a notice: `signatures.NOTICE`
beside it (the attribution and the snapshot's LICENSE, verbatim), which the index names under
`source.notice`. Both files are written, and checked, together.

For every bundle under `assessments/` and every input slot (env var) it records: the columns the
bundle reads, those it cannot do without, its student-ID candidates, its test-date and
school-year columns (with the date formats its samples use), and for each sample file the
delimiter, encoding, header row and column shapes that `runway_desktop.bundles.identify`
matches a clerk's file against. `--check` exits 1 if the committed index is stale.

Reading the bundles. earthmover.yaml is a Jinja template of YAML. The bundles are read without
PyYAML or Jinja (neither is a project dependency): `{% %}` statement lines are dropped and
whatever they guarded is kept but marked *conditional*, `{# #}` comments and `{%raw%}` markers
are removed, `${VAR}` stays literal, and a small block-YAML reader (mappings, sequences, flow
lists, block scalars, anchors and aliases) builds the tree; keys repeated by concatenated
branches are merged. A name still holding `{{ }}` is a pattern matched against sample headers.

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

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from runway_desktop.bundles.identify import (
    DATE_FORMATS,
    HeaderSample,
    parse_date,
    parse_school_year,
    read_header_sample,
)
from runway_desktop.bundles.signatures import INDEX_FORMAT, column_key, column_shape

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SNAPSHOT = REPO_ROOT.parent / "shared" / "bundles" / "earthmover_edfi_bundles"
DEFAULT_OUT = REPO_ROOT / "resources" / "signatures.json"
NOTICE_NAME = "signatures.NOTICE"
SOURCE = {
    "repository": "edanalytics/earthmover_edfi_bundles",
    "commit": "f8967a1f",
    "license": "Apache-2.0",
    "notice": NOTICE_NAME,
}
NOTICE_HEADER = """\
resources/signatures.json is derived from edanalytics/earthmover_edfi_bundles
(https://github.com/edanalytics/earthmover_edfi_bundles, commit {commit}): the column
names of each bundle's earthmover.yaml and of the sample files its authors ship, reduced by
tools/build_signature_index.py. That work is licensed under the Apache License, Version 2.0,
reproduced below; the derived index is distributed under the same licence.

"""


class Cond(str):
    """A scalar from inside a Jinja block: another year, format or loop may not have it."""

    __slots__ = ()


# ---- tolerant Jinja + YAML reading -------------------------------------------------------

_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_RAW = re.compile(r"\{%-?\s*(end)?raw\s*-?%\}")
_OPENERS = ("if", "for", "macro", "call", "filter")
_TAG = re.compile(r"\{%-?\s*(\w+)")


def _lines(text: str) -> list[tuple[int, str, bool]]:
    """(indent, text, conditional) per meaningful line, with Jinja statements removed."""
    text = _RAW.sub("", _JINJA_COMMENT.sub("", text))
    out: list[tuple[int, str, bool]] = []
    depth, pending = 0, ""
    for line in text.splitlines():
        body = line.strip()
        if pending or body.startswith("{%"):
            pending += " " + body
            if "%}" not in body:
                continue  # a statement spanning lines ({% set x = {...} %})
            for word in _TAG.findall(pending):
                depth += word in _OPENERS
                depth -= word.startswith("end") and depth > 0
            pending = ""
            continue
        if body and not body.startswith("#"):
            out.append((len(line) - len(line.lstrip()), line.rstrip(), depth > 0))
    return out


_KEY = re.compile(
    r"""^(?:"([^"]*)"|'([^']*)'|([^\s"'#\-\[{][^#]*?|-[^\s][^#]*?|\{\{[^#]*?))\s*:(?:\s+|$)(.*)$"""
)
_COMMENT = re.compile(r"\s+#.*$")


def _strip_comment(rest: str) -> str:
    if rest.lstrip().startswith("#"):
        return ""
    if rest[:1] and rest[0] in "\"'":
        end = rest.find(rest[0], 1)
        if end > 0 and rest[end + 1 :].lstrip().startswith("#"):
            return rest[: end + 1]
        return rest
    return _COMMENT.sub("", rest)


class _Reader:
    def __init__(self, text: str) -> None:
        self.lines = _lines(text)
        self.anchors: dict[str, Any] = {}

    def scalar(self, rest: str, cond: bool) -> Any:
        rest = _strip_comment(rest).strip()
        if rest.startswith("*"):
            return self.anchors.get(rest[1:].strip(), rest)
        if rest.startswith("[") and rest.endswith("]"):
            return [self.scalar(p, cond) for p in re.split(r",\s*", rest[1:-1]) if p.strip()]
        if len(rest) >= 2 and rest[0] == rest[-1] and rest[0] in "\"'":
            rest = rest[1:-1]
        return Cond(rest) if cond else rest

    def block(self, i: int, indent: int) -> tuple[Any, int]:
        """The node starting at line i, whose lines are indented at least `indent`."""
        if i >= len(self.lines) or self.lines[i][0] < indent:
            return None, i
        ind, text, _ = self.lines[i]
        if text.lstrip().startswith("- ") or text.strip() == "-":
            return self.sequence(i, ind)
        if _KEY.match(text.strip()):
            return self.mapping(i, ind)
        parts = []
        while i < len(self.lines) and self.lines[i][0] >= indent:
            parts.append(self.lines[i][1].strip())
            i += 1
        return self.scalar(" ".join(parts), self.lines[i - 1][2]), i

    def value(self, rest: str, cond: bool, i: int, indent: int) -> tuple[Any, int]:
        anchor = None
        if rest.startswith("&"):
            anchor, _, rest = rest[1:].partition(" ")
            rest = rest.strip()
        rest = _strip_comment(rest).strip()
        if rest[:1] and rest[0] in ">|":
            parts = []
            while i < len(self.lines) and self.lines[i][0] > indent:
                parts.append(self.lines[i][1].strip())
                i += 1
            node: Any = self.scalar(" ".join(parts), cond)
        elif rest:
            node = self.scalar(rest, cond)
        else:
            node, i = self.block(i, indent + 1)
            if (
                node is None
                and i < len(self.lines)
                and self.lines[i][0] == indent
                and self.lines[i][1].lstrip().startswith("- ")
            ):
                node, i = self.sequence(i, indent)
        if anchor:
            self.anchors[anchor] = node
        return node, i

    def mapping(self, i: int, indent: int) -> tuple[dict[Any, Any], int]:
        out: dict[Any, Any] = {}
        while i < len(self.lines) and self.lines[i][0] >= indent:
            ind, text, cond = self.lines[i]
            match = _KEY.match(text.strip())
            if ind > indent or not match:
                i += 1  # a line that fits nowhere (left by a dropped Jinja branch): skip it
                continue
            key = next(g for g in match.groups()[:3] if g is not None).strip()
            node, i = self.value(match.group(4), cond, i + 1, indent)
            ckey = Cond(key) if cond else key
            out[ckey] = _merge(out[ckey], node) if ckey in out else node
        return out, i

    def sequence(self, i: int, indent: int) -> tuple[list[Any], int]:
        out: list[Any] = []
        while i < len(self.lines) and self.lines[i][0] >= indent:
            ind, text, cond = self.lines[i]
            if ind > indent:
                i += 1
                continue
            if not text.lstrip().startswith("-"):
                break
            rest = text.lstrip()[1:].strip()
            if _KEY.match(rest):
                # "- key: v" opens a mapping whose keys sit two columns in.
                self.lines[i] = (ind + 2, " " * (ind + 2) + rest, cond)
                node, i = self.mapping(i, ind + 2)
            else:
                node, i = self.value(rest, cond, i + 1, ind)
            out.append(node)
        return out, i


def _merge(old: Any, new: Any) -> Any:
    if isinstance(old, dict) and isinstance(new, dict):
        merged = dict(old)
        for key, value in new.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return merged
    if isinstance(old, list) and isinstance(new, list):
        return old + new
    return old if new is None else new


def read_yaml(path: Path) -> dict[str, Any]:
    reader = _Reader(path.read_text(encoding="utf-8-sig"))
    node, _ = reader.block(0, 0)
    return node if isinstance(node, dict) else {}


# ---- what each slot reads ----------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUOTED = re.compile(r"""'([^'\n]+)'|"([^"\n]+)\"""")
_ENV = re.compile(r"\$\{(\w+)\}")
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


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _strict_names(op: dict[str, Any]) -> list[str]:
    """Names in an operation that fail the run when the column is missing."""
    kind = str(op.get("operation", ""))
    names = [v for field in _STRICT_LISTS.get(kind, ()) for v in _as_list(op.get(field))]
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


# ---- one bundle ----------------------------------------------------------------------------


_FILE_WORDS = frozenset({"sample", "anonymized", "anonymised", "file", "data", "input", "fake"})


def _words(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text).lower())
    return {w for w in words if len(w) >= 3 and w not in _FILE_WORDS}


def _assign(files: list[Path], slots: dict[str, dict[str, Any]]) -> dict[str, list[Path]]:
    """Which slot each sample file is for: the slot whose name shares a word with the file's
    (STAR "SR_SkillArea_v1" -> "Skill area"), else the main slot."""
    main = "INPUT_FILE" if "INPUT_FILE" in slots else next(iter(slots))
    out: dict[str, list[Path]] = {env: [] for env in slots}
    for path in files:
        words = _words(path.stem)
        best, best_hits = main, 0
        for env, slot in slots.items():
            if env == main:
                continue
            names = _words(env.removeprefix("INPUT_FILE").lower().replace("_", " "))
            names |= _words(str(slot["display_name"]))
            hits = sum(1 for n in names if any(w.startswith(n) or n.startswith(w) for w in words))
            if hits > best_hits:
                best, best_hits = env, hits
        out[best].append(path)
    return out


def _slot(
    bundle: Path,
    env: str,
    meta: dict[str, Any],
    em: dict[str, Any],
    files: list[Path],
    is_main: bool,
) -> dict[str, Any]:
    sources = {
        n: s
        for n, s in (em.get("sources") or {}).items()
        if isinstance(s, dict) and str(s.get("file", "")).strip() == f"${{{env}}}"
    }
    chain, touched = _derived(em.get("transformations") or {}, set(sources))
    listed = [c for s in sources.values() for c in _as_list(s.get("columns")) if isinstance(c, str)]
    optional = {column_key(c) for s in sources.values() for c in _as_list(s.get("optional_fields"))}
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
        for op in _as_list(t.get("operations"))
        if isinstance(op, dict)
        for n in _strict_names(op)
    }
    for src in sources.values():
        strict |= {
            column_key(n)
            for e in _as_list(src.get("expect"))
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
        "display_name": meta.get("display_name") or _humane(env),
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


def _humane(env: str) -> str:
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


def build_bundle(folder: Path) -> dict[str, Any] | None:
    em = read_yaml(folder / "earthmover.yaml")
    meta_path = folder / "_metadata.yaml"
    meta = read_yaml(meta_path) if meta_path.exists() else {}
    declared = {
        str(f["env_var"]): f for f in _as_list(meta.get("input_files")) if isinstance(f, dict)
    }
    found = dict.fromkeys(
        m
        for s in (em.get("sources") or {}).values()
        if isinstance(s, dict)
        for m in _ENV.findall(str(s.get("file", "")).strip())
    )
    slots = declared or {env: {"display_name": _humane(env)} for env in found}
    if not slots:
        return None  # ACT_EdFi reads a warehouse, not a file
    data = folder / "data"
    files = sorted(p for p in data.iterdir() if p.is_file()) if data.is_dir() else []
    assigned = _assign(files, slots)
    main = "INPUT_FILE" if "INPUT_FILE" in slots else next(iter(slots))
    return {
        "display_name": str(meta.get("display_name") or folder.name.replace("_", " ")),
        "in_registry": bool(meta),
        "slots": {
            env: _slot(folder, env, slots[env], em, assigned[env], env == main) for env in slots
        },
    }


def build_index(snapshot: Path) -> dict[str, Any]:
    bundles: dict[str, Any] = {}
    for folder in sorted((snapshot / "assessments").iterdir()):
        if folder.is_dir() and (folder / "earthmover.yaml").exists():
            built = build_bundle(folder)
            if built:
                bundles[f"assessments/{folder.name}"] = built
    samples = [s for b in bundles.values() for sl in b["slots"].values() for s in sl["samples"]]
    table = sorted({shape for s in samples for shape in s["shapes"]})
    number = {shape: i for i, shape in enumerate(table)}
    for sample in samples:
        sample["shapes"] = sorted(number[s] for s in sample["shapes"])
    return {"format": INDEX_FORMAT, "source": SOURCE, "shapes": table, "bundles": bundles}


def render(index: dict[str, Any]) -> str:
    return json.dumps(index, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if --out is stale")
    args = parser.parse_args(argv)
    if not (args.snapshot / "assessments").is_dir():
        print(f"no bundle snapshot at {args.snapshot}", file=sys.stderr)
        return 2
    text = render(build_index(args.snapshot))
    notice = render_notice(args.snapshot)
    wanted = {args.out: text, args.out.with_name(NOTICE_NAME): notice}
    if args.check:
        stale = [p for p, body in wanted.items() if _read(p) != body]
        for path in stale:
            print(f"{path} is out of date; run tools/build_signature_index.py", file=sys.stderr)
        if stale:
            return 1
        print(f"{args.out} and its notice are up to date")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for path, body in wanted.items():
        path.write_text(body, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode()):,} bytes, {len(index_bundles(text))} bundles)")
    return 0


def render_notice(snapshot: Path) -> str:
    licence = (snapshot / "LICENSE").read_text(encoding="utf-8")
    return NOTICE_HEADER.format(commit=SOURCE["commit"]) + licence


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def index_bundles(text: str) -> list[str]:
    return sorted(json.loads(text)["bundles"])


if __name__ == "__main__":
    sys.exit(main())
