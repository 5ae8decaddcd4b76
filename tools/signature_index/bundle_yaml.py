"""A tolerant reader of earthmover.yaml: a Jinja template of YAML, read without PyYAML or
Jinja (neither is a project dependency).

`{% %}` statement lines are dropped and whatever they guarded is kept but marked *conditional*
(a :class:`Cond`), `{# #}` comments and `{%raw%}` markers are removed, `${VAR}` stays literal,
and a small block-YAML reader (mappings, sequences, flow lists, block scalars, anchors and
aliases) builds the tree; keys repeated by concatenated branches are merged. A name still
holding `{{ }}` is a pattern matched against sample headers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any


class Cond(str):
    """A scalar from inside a Jinja block: another year, format or loop may not have it."""

    __slots__ = ()


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
