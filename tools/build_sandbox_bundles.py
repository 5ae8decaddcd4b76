"""Derive resources/sandbox_bundles.json, the sandbox executor's own knowledge of the bundles.

    .venv/bin/python tools/build_sandbox_bundles.py [--snapshot DIR] [--out FILE] [--check]

The sandbox fails a run the way Runway's earthmover run fails it: when an input lacks a column
the bundle's transformation names. This script reads every `assessments/*/earthmover.yaml` of
the bundle snapshot (edanalytics/earthmover_edfi_bundles, Apache-2.0; the notice shipped for
derived data is resources/signatures.NOTICE) and writes, per bundle, the output files its
`destinations:` name and, per input slot (the source whose `file:` is `${ENV_VAR}`):

- `required`: columns an operation names where earthmover stops on a missing column
  (`keep_columns`, `drop_columns`, `combine_columns`, `date_format`, `map_values`,
  `group_by_columns`, and the keys of `rename_columns`, `duplicate_columns` and
  `modify_columns`), in a transformation fed by the slot's source alone, before any join,
  union or re-casing of the columns, and not made by an earlier operation of the chain;
- `student_id_any`: for the main slot (INPUT_FILE, else the first), the bundle's
  POSSIBLE_STUDENT_ID_COLUMNS, one of which the roster match needs;
- `column_count`: for a source that names its columns itself (`columns:`), how many the file
  must have (earthmover renames them by position);
- `header_rows` and `fixed_width`: how the source reads its file (the rows naming the
  columns, below group labels; a fixed-width text file named by colspecs), so that the
  samples, and the sandbox's executor, read each file the way the bundle does
  (runway_desktop/sandbox/bundle_inputs.py has the one reading of them).

Destinations are the `destinations:` entries with a `source:` or `template:` (not the
student_id package's header overrides, nor a name a Jinja loop makes).

Deliberately independent of tools/build_signature_index.py and the client's index (its own
reading of the YAML, its own rules), so a shared mistake cannot hide in both. Conservative, as
a practice server should be: a column no sample of the bundle has is dropped from `required`
(the authors' samples run), and names still holding `${…}` or `{{…}}` are never required.
`--check` exits 1 when the committed file is stale.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path
from typing import Any

from runway_desktop.sandbox.bundle_inputs import SlotNeeds

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SNAPSHOT = ROOT.parent / "shared" / "bundles" / "earthmover_edfi_bundles"
DEFAULT_OUT = ROOT / "resources" / "sandbox_bundles.json"
FORMAT = 1

# Operations whose named columns must exist (list-valued keys, and keys of mapping values).
_NAMED_LISTS = {
    "keep_columns": ("columns",),
    "drop_columns": ("columns",),
    "combine_columns": ("columns",),
    "date_format": ("column", "columns"),
    "map_values": ("column", "columns"),
    "group_by": ("group_by_columns",),
    "distinct_rows": ("columns",),
}
_NAMED_KEYS = ("rename_columns", "duplicate_columns", "modify_columns")
# After these the stream holds other sources' columns or renamed ones: stop looking.
_STOPS = {"join", "union", "snake_case_columns", "lowercase_columns", "melt", "pivot"}


# -- a reader for the block-YAML subset earthmover.yaml uses --------------------------------------
# {% raw %} … {% endraw %} wraps template text (a header: block scalar): that line is content.
_RAW_TAG = re.compile(r"\{%-?\s*(end)?raw\s*-?%\}")


def _clean_lines(text: str) -> list[tuple[int, str]]:
    """(indent, text) per meaningful line: Jinja statements and comments dropped."""
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    out = []
    in_statement = False
    for raw in text.splitlines():
        line = raw.rstrip()
        if in_statement or (line.lstrip().startswith("{%") and "%}" not in line):
            # A statement spanning lines ({% set columns = [ … ] %}): none of it is YAML.
            in_statement = "%}" not in line
            continue
        if re.fullmatch(r"\s*\{%-?.*?-?%\}\s*", line) and not _RAW_TAG.search(line):
            continue  # a statement line: whatever it guards is kept
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        out.append((len(line) - len(stripped), _strip_comment(line)))
    return out


def _strip_comment(line: str) -> str:
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and i > 0 and line[i - 1] in " \t":
            return line[:i].rstrip()
    return line


def _scalar(text: str) -> Any:
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [_scalar(part) for part in text[1:-1].split(",") if part.strip()]
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


class _Reader:
    def __init__(self, text: str) -> None:
        self.lines = _clean_lines(text)
        self.anchors: dict[str, Any] = {}

    def read(self) -> Any:
        value, _ = self._block(0, 0)
        return value

    def _block(self, i: int, indent: int) -> tuple[Any, int]:
        if i < len(self.lines) and self.lines[i][1].lstrip().startswith("- "):
            return self._sequence(i, self.lines[i][0])
        return self._mapping(i, indent)

    def _sequence(self, i: int, indent: int) -> tuple[list[Any], int]:
        items: list[Any] = []
        while i < len(self.lines) and self.lines[i][0] == indent:
            body = self.lines[i][1].lstrip()
            if not body.startswith("-"):
                break
            rest = body[1:].lstrip()
            if re.match(r"[^'\"{\[][^:]*:(\s|$)", rest):
                # "- key: value" opens a mapping indented past the dash.
                self.lines[i] = (indent + 2, " " * (indent + 2) + rest)
                value, i = self._mapping(i, indent + 2)
                items.append(value)
            else:
                items.append(_scalar(rest))
                i += 1
        return items, i

    def _mapping(self, i: int, indent: int) -> tuple[dict[str, Any], int]:
        mapping: dict[str, Any] = {}
        while i < len(self.lines):
            level, line = self.lines[i]
            if level < indent:
                break
            if level > indent:  # a continuation this reader does not need
                i += 1
                continue
            key, sep, rest = line.strip().partition(":")
            if not sep or line.strip().startswith("- "):
                break
            key, rest, i = _scalar(key), rest.strip(), i + 1
            anchor = ""
            if rest.startswith("&"):
                anchor, _, rest = rest.partition(" ")
                rest = rest.strip()
            value: Any
            if rest.startswith("*"):
                value = self.anchors.get(rest[1:], rest)
            elif rest[:1] in (">", "|"):
                parts = []
                while i < len(self.lines) and self.lines[i][0] > indent:
                    parts.append(self.lines[i][1].strip())
                    i += 1
                value = " ".join(parts)
            elif rest:
                value = _scalar(rest)
            elif i < len(self.lines) and (
                self.lines[i][0] > indent
                or (self.lines[i][0] == indent and self.lines[i][1].lstrip().startswith("- "))
            ):
                value, i = self._block(i, self.lines[i][0])
            else:
                value = None
            if anchor:
                self.anchors[anchor[1:]] = value
            mapping[key] = _merge(mapping.get(key), value)
        return mapping, i


def _merge(old: Any, new: Any) -> Any:
    """Keys repeated by the branches of a Jinja ``if`` are merged, not lost."""
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **{k: _merge(old.get(k), v) for k, v in new.items()}}
    if isinstance(old, list) and isinstance(new, list):
        return old + [v for v in new if v not in old]
    return new if new is not None else old


# -- the derivation --------------------------------------------------------------------------------
def _plain(name: Any) -> bool:
    return isinstance(name, str) and bool(name) and "${" not in name and "{{" not in name


def _named_columns(op: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(columns the operation needs, columns it makes)."""
    kind = str(op.get("operation", "")).strip()
    needs: list[str] = []
    makes: list[str] = []
    for key in _NAMED_LISTS.get(kind, ()):
        value = op.get(key)
        needs += value if isinstance(value, list) else [value] if value else []
    if kind in _NAMED_KEYS and isinstance(op.get("columns"), dict):
        needs += list(op["columns"])
        if kind != "modify_columns":
            makes += [str(v) for v in op["columns"].values()]
    if kind in ("add_columns", "group_by"):
        columns = op.get("columns") or op.get("create_columns") or {}
        makes += list(columns) if isinstance(columns, dict) else []
    for key in ("new_column", "new_columns"):
        value = op.get(key)
        makes += value if isinstance(value, list) else [value] if value else []
    if kind == "modify_columns" and isinstance(op.get("columns"), dict):
        makes += list(op["columns"])  # needed first, then it exists for later operations
    return [n for n in needs if _plain(n)], [str(n) for n in makes]


def _slot_requirements(doc: dict[str, Any], source: str) -> list[str]:
    transformations = doc.get("transformations") or {}
    required: list[str] = []
    # name -> columns made upstream, for transformations fed (only) by the slot's source.
    fed: dict[str, set[str]] = {}
    origin = f"$sources.{source}"
    changed = True
    while changed:
        changed = False
        for name, body in transformations.items():
            if name in fed or not isinstance(body, dict):
                continue
            parent = str(body.get("source", "")).strip()
            if parent == origin:
                made: set[str] = set()
            elif parent.startswith("$transformations.") and parent[17:] in fed:
                made = set(fed[parent[17:]])
            else:
                continue
            stopped = False
            for op in body.get("operations") or []:
                if not isinstance(op, dict) or stopped:
                    continue
                if str(op.get("operation", "")).strip() in _STOPS:
                    stopped = True
                    continue
                needs, makes = _named_columns(op)
                required += [n for n in needs if n not in made and n not in required]
                made |= set(makes)
            # Columns after a join are partly another source's: nothing below is judged.
            if not stopped:
                fed[name] = made
            else:
                fed[name] = made | {"*"}
            changed = True
    return required


def _layout(source: dict[str, Any]) -> SlotNeeds:
    """How the slot's source reads its file: which rows name the columns, and whether it can
    read a fixed-width text file (in some Jinja branch: CogAT takes .txt and .csv exports)."""
    value = source.get("header_rows")
    rows: tuple[int, ...] = (0,)
    if isinstance(value, list) and value and all(str(v).strip().isdigit() for v in value):
        rows = tuple(sorted(int(v) for v in value))
    elif str(value).strip().isdigit() and int(str(value)) > 1:
        rows = (int(str(value)) - 1,)
    fixed = str(source.get("type", "")).strip() == "fixedwidth" or "colspec_file" in source
    return SlotNeeds(header_rows=rows, fixed_width=fixed)


def _sample_headers(bundle_dir: Path, layout: SlotNeeds) -> list[list[str]]:
    """Each sample's column names, read the way the slot reads them; a fixed-width sample
    has none to judge (the bundle's colspecs name its columns)."""
    headers = []
    for path in sorted((bundle_dir / "data").glob("*")):
        try:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue
        lines = text.splitlines()[: max(layout.header_rows) + 10]
        first = next((line for line in lines if line.strip()), "")
        if not first:
            continue
        delimiter = max(",\t;|", key=first.count)
        names, _ = layout.split(list(csv.reader(lines, delimiter=delimiter)))
        if names is not None:
            headers.append([c.strip() for c in names])
    return headers


def _kept(need: list[str], samples: list[list[str]], only_slot: bool) -> list[str]:
    """The needed columns every sample of the slot has; another variant of the export (PSAT
    10 beside SAT, an older layout) may lack the rest. A bundle's samples are all its only
    slot's; with several slots, a sample is the slot's if it holds any of the columns."""
    mine = [set(h) for h in samples if only_slot or set(need) & set(h)]
    return sorted(c for c in need if mine and all(c in h for h in mine))


def derive_bundle(bundle_dir: Path) -> dict[str, Any] | None:
    doc = _Reader((bundle_dir / "earthmover.yaml").read_text(encoding="utf-8")).read()
    if not isinstance(doc, dict):
        return None
    defaults = (doc.get("config") or {}).get("parameter_defaults") or {}
    slots: dict[str, Any] = {}
    samples_of: dict[str, list[list[str]]] = {}
    only_slot = len({_source_env(s) for s in (doc.get("sources") or {}).values()} - {""}) == 1
    for name, source in (doc.get("sources") or {}).items():
        file = str((source or {}).get("file", "")) if isinstance(source, dict) else ""
        match = re.fullmatch(r"\$\{(\w+)\}", file.strip())
        if not match or match.group(1) in slots:
            continue
        layout = _layout(source)
        samples = samples_of[match.group(1)] = _sample_headers(bundle_dir, layout)
        listed = source.get("columns")
        count = len(listed) if isinstance(listed, list) else None
        slot: dict[str, Any] = {
            # Checked only when one of the samples has exactly that many (they run).
            "column_count": count if any(len(h) == count for h in samples) else None,
            "fixed_width": layout.fixed_width,
            "header_rows": list(layout.header_rows),
            "required": [],
            "student_id_any": [],
        }
        if count is None:
            slot["required"] = _kept(_slot_requirements(doc, name), samples, only_slot)
        slots[match.group(1)] = slot
    main = "INPUT_FILE" if "INPUT_FILE" in slots else next(iter(slots), None)
    samples = samples_of.get(main, []) if main else []
    ids = [c.strip() for c in str(defaults.get("POSSIBLE_STUDENT_ID_COLUMNS", "")).split(",")]
    ids = [c for c in ids if c]
    source = (doc.get("sources") or {}).get(_source_of(doc, main)) if main else None
    named_by_position = isinstance(source, dict) and "columns" in source
    # Every sample of the main slot has one (with several slots: every sample with any).
    of_main = [h for h in samples if only_slot or any(c in h for c in ids)]
    has_ids = bool(of_main) and all(any(c in h for c in ids) for h in of_main)
    if main is not None and ids and not named_by_position and has_ids:
        slots[main]["student_id_any"] = ids
    destinations = []
    for dest, body in (doc.get("destinations") or {}).items():
        # Without a source and a template it only overrides a package's destination (the
        # student_id package's no-match header); a name still holding {{…}} is a Jinja loop's.
        if not isinstance(body, dict) or not {"source", "template"} & set(body) or "{{" in dest:
            continue
        destinations.append(f"{dest}.{body.get('extension') or 'jsonl'}")
    return {"destinations": sorted(set(destinations)), "slots": slots}


def _source_env(source: Any) -> str:
    file = str(source.get("file", "")) if isinstance(source, dict) else ""
    match = re.fullmatch(r"\$\{(\w+)\}", file.strip())
    return match.group(1) if match else ""


def _source_of(doc: dict[str, Any], env_var: str) -> str:
    for name, source in (doc.get("sources") or {}).items():
        if isinstance(source, dict) and str(source.get("file", "")).strip() == f"${{{env_var}}}":
            return str(name)
    return ""


def build(snapshot: Path) -> dict[str, Any]:
    bundles = {}
    for bundle_dir in sorted((snapshot / "assessments").iterdir()):
        if (bundle_dir / "earthmover.yaml").is_file() and not bundle_dir.name.startswith("_"):
            derived = derive_bundle(bundle_dir)
            if derived is not None and derived["slots"]:
                bundles[f"assessments/{bundle_dir.name}"] = derived
    return {
        "format": FORMAT,
        "source": {
            "repository": "edanalytics/earthmover_edfi_bundles",
            "license": "Apache-2.0",
            "notice": "signatures.NOTICE",
            "made_by": "tools/build_sandbox_bundles.py",
        },
        "bundles": bundles,
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if --out is stale")
    args = parser.parse_args(argv)
    text = render(build(args.snapshot))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is stale: run tools/build_sandbox_bundles.py", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
