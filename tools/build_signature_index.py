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

How the bundles are read is in `signature_index/bundle_yaml.py`, and which columns a slot uses
and requires in `signature_index/slot_columns.py`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from signature_index.bundle_yaml import read_yaml
from signature_index.slot_columns import as_list, humane_name, slot_entry

from runway_desktop.bundles.signatures import INDEX_FORMAT

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


# ---- one bundle ----------------------------------------------------------------------------

_ENV = re.compile(r"\$\{(\w+)\}")  # a source's `file: ${INPUT_FILE}`: the slot it reads
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


def build_bundle(folder: Path) -> dict[str, Any] | None:
    em = read_yaml(folder / "earthmover.yaml")
    meta_path = folder / "_metadata.yaml"
    meta = read_yaml(meta_path) if meta_path.exists() else {}
    declared = {
        str(f["env_var"]): f for f in as_list(meta.get("input_files")) if isinstance(f, dict)
    }
    found = dict.fromkeys(
        m
        for s in (em.get("sources") or {}).values()
        if isinstance(s, dict)
        for m in _ENV.findall(str(s.get("file", "")).strip())
    )
    slots = declared or {env: {"display_name": humane_name(env)} for env in found}
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
            env: slot_entry(folder, env, slots[env], em, assigned[env], env == main)
            for env in slots
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
