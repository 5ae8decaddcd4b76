"""Derive the practice files, resources/samples/<Bundle>/, and their manifest practice.json.

    .venv/bin/python tools/build_practice_samples.py [--snapshot DIR] [--out DIR] [--check]

For every bundle of the snapshot (edanalytics/earthmover_edfi_bundles, Apache-2.0; the notice
shipped for derived data is resources/signatures.NOTICE) that ships sample files under
`assessments/<Bundle>/data/`, each sample is copied into `resources/samples/<Bundle>/`, cut to
its header and at most MAX_DATA_ROWS data rows (whole CSV records, so a quoted line break is
never split; the bytes kept, BOM, delimiter and line endings included, are the original's).
The manifest names, per bundle, the slot (env var) each file is for and the value each
parameter takes in practice.

A file goes to a slot only when the app itself is sure: the bundle is in the registry (only
those can run on Runway), the app's identification (`identify_file`, from the signature index)
names this bundle and that slot, the slot takes the file's extension, and the app's own check
(`inspect_file`: form and content) passes it as the slot's file. Anything less is left out,
with the reason printed and written to the manifest's `left_out`: nothing is guessed.

A parameter's practice value is the bundle's own default (earthmover.yaml `parameter_defaults`)
when Runway would accept it, else the first allowed value, else (free text) the first value
the parameter's display name quotes ("Test Type: 'Auto', 'Process', or 'CAP'"). `API_YEAR` is
set by Runway from the school year and is not listed.

The five bundles practised before this manifest existed keep exactly the files they had, in
their order (EARLIER_SELECTION): the app's tests, screenshots and docs name them.
`--check` exits 1 when anything under --out differs from what the snapshot gives.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runway_desktop.bundles.file_identity import identify_file
from runway_desktop.bundles.identify import Verdict, read_header_sample
from runway_desktop.bundles.model import API_YEAR, Bundle, parse_registry_bytes
from runway_desktop.bundles.preflight import inspect_file

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SNAPSHOT = ROOT.parent / "shared" / "bundles" / "earthmover_edfi_bundles"
DEFAULT_OUT = ROOT / "resources"
MANIFEST = "practice.json"
SAMPLES = "samples"
FORMAT = 1
# Enough rows to look like a real export; few enough that resources/ stays small.
MAX_DATA_ROWS = 300
SOURCE = {
    "repository": "edanalytics/earthmover_edfi_bundles",
    "commit": "f8967a1f",
    "license": "Apache-2.0",
    "notice": "signatures.NOTICE",
    "made_by": "tools/build_practice_samples.py",
}
EARLIER_SELECTION: dict[str, dict[str, tuple[str, ...]]] = {
    "assessments/PSAT_SAT": {
        "INPUT_FILE": ("sample_anonymized_file_sat.csv", "sample_anonymized_file_psat_10.csv"),
    },
    "assessments/STAR": {
        "INPUT_FILE": ("SR_sample_anonymized_file.csv",),
        "INPUT_FILE_DS": ("SR_Dashboard_Standards_v2_sample_anonymized_file.csv",),
        "INPUT_FILE_SA": ("SR_SkillArea_v1_sample_anonymized_file.csv",),
    },
    "assessments/MAP_Growth": {"INPUT_FILE": ("sample_anonymized_file.csv",)},
    "assessments/FastBridge_CBMreading": {
        "INPUT_FILE": ("sample_anonymized_file_fastbridge_cbmreading.csv",),
        "INPUT_FILE_COMP_QUESTION": (
            "sample_anonymized_file_fastbridge_comprehension_question.csv",
        ),
        "INPUT_FILE_COMP_RECALL": ("sample_anonymized_file_fastbridge_comprehension_recall.csv",),
    },
    "assessments/FastBridge_CBMmath": {"INPUT_FILE": ("sample_anonymized_file_cbmm_auto.csv",)},
}


@dataclass
class Derived:
    manifest: dict[str, Any]
    # path below --out -> bytes, the manifest and the samples' README included
    files: dict[str, bytes] = field(default_factory=dict)


# -- cutting a sample -----------------------------------------------------------------------------
def trimmed(data: bytes, header_row: int, max_data_rows: int = MAX_DATA_ROWS) -> bytes:
    """The first ``header_row + 1 + max_data_rows`` CSV records of ``data``, byte for byte.
    A record ends at a line break outside quotes: an odd count of quotes so far means the
    break is inside a quoted field (a doubled quote counts twice, so it never misleads)."""
    keep = header_row + 1 + max_data_rows
    records = 0
    quotes = 0
    position = 0
    for line in data.splitlines(keepends=True):
        position += len(line)
        quotes += line.count(b'"')
        if quotes % 2 == 0:
            records += 1
            if records == keep:
                return data[:position]
    return data


# -- placing a sample -----------------------------------------------------------------------------
def place(bundle: Bundle, path: Path) -> tuple[str | None, str]:
    """(slot env var, "") when the app is sure the file is that slot's, else (None, why not)."""
    try:
        identity = identify_file(path)
    except OSError as exc:
        return None, f"cannot be read ({exc})"
    if identity.problem:
        return None, identity.problem
    if identity.bundle != bundle.path or identity.env_var is None:
        if identity.bundle is None:
            return None, f"the app does not recognise it (best match {identity.confidence:.0%})"
        seen = f"{identity.bundle} {identity.env_var}"
        return None, f"the app identifies it as {seen} ({identity.confidence:.0%})"
    slot = bundle.file(identity.env_var)
    if slot is None:
        return None, f"the registry has no slot {identity.env_var}"
    if not slot.accepts_extension(path.suffix):
        return None, f"{slot.env_var} takes {', '.join(slot.file_type)} files"
    report = inspect_file(path, slot)
    if not report.ok:
        return None, f"the app's check refuses it for {slot.env_var}: {report.errors[0]}"
    content = report.content
    if content is None or content.verdict is not Verdict.FITS:
        said = content.message if content is not None else "its columns were not judged"
        return None, f"the app's content check is not sure it fits {slot.env_var}: {said}"
    return slot.env_var, ""


# -- parameters -----------------------------------------------------------------------------------
def parameter_defaults(earthmover_yaml: str) -> dict[str, str]:
    """``config.parameter_defaults`` of an earthmover.yaml: flat ``KEY: value`` lines."""
    defaults: dict[str, str] = {}
    indent: int | None = None
    for line in earthmover_yaml.splitlines():
        stripped = line.strip()
        if indent is None:
            if stripped == "parameter_defaults:":
                indent = len(line) - len(line.lstrip())
            continue
        if not stripped or stripped.startswith("#"):
            continue
        if len(line) - len(line.lstrip()) <= indent:
            break
        key, sep, value = stripped.partition(":")
        if sep:
            value = re.sub(r"\s+#.*$", "", value).strip()
            defaults[key.strip()] = value.strip("'\"")
    return defaults


def practice_params(bundle: Bundle, defaults: dict[str, str]) -> tuple[dict[str, Any], str]:
    """(env var -> {"allowed", "value"}, "") or ({}, why a required one has no value)."""
    params: dict[str, Any] = {}
    for param in bundle.input_params:
        if param.env_var == API_YEAR:
            continue
        allowed = list(param.allowed_values) if param.allowed_values else None
        default = defaults.get(param.env_var, "")
        quoted = re.findall(r"'([^']+)'", param.display_name)
        if default and (allowed is None or default in allowed):
            value = default
        elif allowed:
            value = allowed[0]
        elif quoted:
            value = quoted[0]
        elif param.is_required:
            return {}, f"the required parameter {param.env_var} has no value to practise with"
        else:
            continue
        params[param.env_var] = {"allowed": allowed, "value": value}
    return params, ""


# -- the whole snapshot ---------------------------------------------------------------------------
def build(snapshot: Path) -> Derived:
    registry = parse_registry_bytes((snapshot / "registry.json").read_bytes())
    bundles: dict[str, Any] = {}
    left_out: dict[str, str] = {}
    copies: dict[str, bytes] = {}
    for folder in sorted((snapshot / "assessments").iterdir(), key=lambda p: p.name):
        data = folder / "data"
        samples = sorted(p for p in data.iterdir() if p.is_file()) if data.is_dir() else []
        if not samples:
            continue
        path = f"assessments/{folder.name}"
        bundle = registry.get(path)
        if bundle is None:
            left_out[path] = "not in the bundle registry: Runway cannot run it"
            continue
        yaml_text = (folder / "earthmover.yaml").read_text(encoding="utf-8")
        params, no_value = practice_params(bundle, parameter_defaults(yaml_text))
        if no_value:
            left_out[path] = no_value
            continue
        files: dict[str, list[str]] = {}
        for sample in samples:
            env_var, why_not = place(bundle, sample)
            if env_var is None:
                left_out[f"{path}/{sample.name}"] = why_not
            else:
                files.setdefault(env_var, []).append(sample.name)
        earlier = EARLIER_SELECTION.get(path)
        if earlier is not None:
            for env_var, pinned in earlier.items():
                for name in sorted(set(files.get(env_var, [])) - set(pinned)):
                    left_out[f"{path}/{name}"] = "kept out of the earlier practice selection"
            files = {
                env: [name for name in pinned if name in files.get(env, [])]
                for env, pinned in earlier.items()
            }
            files = {env: kept for env, kept in files.items() if kept}
        if not files:
            continue
        for kept in files.values():
            for name in kept:
                source = data / name
                header_row = read_header_sample(source, max_rows=0).header_row
                copies[f"{SAMPLES}/{folder.name}/{name}"] = trimmed(source.read_bytes(), header_row)
        order = [f.env_var for f in bundle.input_files]
        bundles[path] = {
            "display_name": bundle.display_name,
            "folder": folder.name,
            "files": {env: files[env] for env in order if env in files},
            "params": params,
        }
    manifest = {
        "format": FORMAT,
        "source": SOURCE,
        "max_data_rows": MAX_DATA_ROWS,
        "bundles": bundles,
        "left_out": left_out,
    }
    derived = Derived(manifest, copies)
    derived.files[MANIFEST] = render(manifest).encode()
    derived.files[f"{SAMPLES}/README.md"] = render_readme(manifest).encode()
    return derived


def render(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"


def render_readme(manifest: dict[str, Any]) -> str:
    bundles: dict[str, Any] = manifest["bundles"]
    lines = [
        "# Practice files",
        "",
        "Anonymized sample input files published in the public bundle repository",
        f"({manifest['source']['repository']}, `assessments/<bundle>/data/`, main at",
        f"{manifest['source']['commit']}, Apache-2.0), offered by the `--sandbox` app as practice",
        "files. Generated with `resources/practice.json` by `tools/build_practice_samples.py`;",
        "do not edit by hand. They are real vendor layouts: wide CSVs, fixed-width text, group",
        "label rows above the header, differing student-ID columns, empty header names, byte-order",
        f"marks. Longer samples are cut to {manifest['max_data_rows']} data rows.",
        "",
        f"{len(bundles)} bundles. The app identifies every file here as its slot's and its check",
        "passes it there; the practice server enables every bundle listed, and its executor",
        "processes every file into output sets.",
        "",
        "| folder | assessment | env var: files | parameters in practice |",
        "|---|---|---|---|",
    ]
    for entry in bundles.values():
        slots = "<br>".join(f"{env}: {', '.join(names)}" for env, names in entry["files"].items())
        params = (
            ", ".join(
                f"{env} = {p['value']}"
                + (f" (one of: {' / '.join(p['allowed'])})" if p["allowed"] else " (free text)")
                for env, p in entry["params"].items()
            )
            or "none"
        )
        lines.append(f"| {entry['folder']} | {entry['display_name']} | {slots} | {params} |")
    lines += ["", "## Left out", ""]
    lines += [f"- `{what}`: {why}" for what, why in manifest["left_out"].items()]
    return "\n".join(lines) + "\n"


# -- writing and checking -------------------------------------------------------------------------
def _on_disk(out: Path) -> dict[str, bytes]:
    found = {MANIFEST: (out / MANIFEST).read_bytes()} if (out / MANIFEST).is_file() else {}
    samples = out / SAMPLES
    if samples.is_dir():
        for path in samples.rglob("*"):
            if path.is_file():
                found[path.relative_to(out).as_posix()] = path.read_bytes()
    return found


def differences(derived: Derived, out: Path) -> list[str]:
    current = _on_disk(out)
    stale = [name for name, body in derived.files.items() if current.get(name) != body]
    extra = current.keys() - derived.files.keys()
    return sorted([f"{name} is stale" for name in stale] + [f"{name} is extra" for name in extra])


def write(derived: Derived, out: Path) -> None:
    for name in _on_disk(out).keys() - derived.files.keys():
        (out / name).unlink()
    for name, body in derived.files.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != body:
            target.write_bytes(body)
    for folder in (out / SAMPLES).iterdir():
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the resources folder")
    parser.add_argument("--check", action="store_true", help="exit 1 if --out is stale")
    args = parser.parse_args(argv)
    if not (args.snapshot / "assessments").is_dir():
        print(f"no bundle snapshot at {args.snapshot}", file=sys.stderr)
        return 2
    derived = build(args.snapshot)
    for what, why in derived.manifest["left_out"].items():
        print(f"left out {what}: {why}")
    if args.check:
        problems = differences(derived, args.out)
        for problem in problems:
            print(f"{problem}: run tools/build_practice_samples.py", file=sys.stderr)
        return 1 if problems else 0
    write(derived, args.out)
    samples = [body for name, body in derived.files.items() if name.startswith(SAMPLES + "/")]
    print(
        f"wrote {len(derived.manifest['bundles'])} bundles, {len(samples) - 1} files, "
        f"{sum(len(b) for b in samples) // 1024} KB under {args.out / SAMPLES}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
