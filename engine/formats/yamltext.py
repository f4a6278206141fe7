"""YAML text as the Timeloop / CiMLoop ecosystem writes it, read safely.

Two extensions over plain YAML, both resolved here without running a template engine:

- `{{include_text('../problem_base.yaml')}}` (CiMLoop's Jinja helper): the named file's text
  is pasted in place of the expression, relative to the file that holds it. An include may
  reach the parent of the opened file's folder (CiMLoop's layer files include
  `../problem_base.yaml`) but nothing above it, never an absolute path, never through a link
  that leaves that tree; at most MAX_INCLUDE_DEPTH levels, and a cycle is refused.
- `<<<:` (timeloopfe's recursive merge key): the mapping(s) it names are merged into the
  mapping holding it, nested mappings merged too; the holding mapping's own keys win.

Any other `{{ ... }}` or `{% ... %}` expression is refused with its line: XbarScope does not
evaluate templates. Loading is PyYAML's safe loader only (no Python objects, no tags beyond
YAML's own); every failure is a FormatError naming the file and, where known, the line.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import FormatError
from ..files import is_absolute_name, is_within
from .textio import MAX_BYTES, read_text

MAX_INCLUDE_DEPTH = 8
MAX_NODES = 1_000_000  # mapping/sequence visits while merging: an alias bomb stops here
MERGE_KEY = "<<<"

_INCLUDE = re.compile(r"""\{\{-?\s*include_text\(\s*(?:'([^'\n]*)'|"([^"\n]*)")\s*\)\s*-?\}\}""")
_TEMPLATE = re.compile(r"\{\{|\{%")


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _bad_location(location: str) -> str | None:
    """Why an include_text path is refused before touching the disk, or None."""
    if not location or "\0" in location:
        return "names no file"
    if is_absolute_name(location):
        return "is an absolute path; includes must be relative to the including file"
    return None


def _target(including: Path, location: str, root: str) -> Path:
    """The real path of an include, refused unless it lies inside `root` (already real)."""
    problem = _bad_location(location)
    if problem:
        raise ValueError(problem)
    real = os.path.realpath(os.path.join(os.path.dirname(including), location))
    if not is_within(real, root):
        raise ValueError(f"leads outside {root} (includes may reach the parent of the opened "
                         f"file's folder, no further, and not through a link that leaves it)")
    return Path(real)


def _expand(path: Path, text: str, root: str, chain: tuple[str, ...], budget: list[int]) -> str:
    """`text` (of `path`) with every include_text expression replaced by its file's text."""
    out, pos = [], 0
    for m in _INCLUDE.finditer(text):
        location = m.group(1) if m.group(1) is not None else m.group(2)
        line = _line_of(text, m.start())
        try:
            target = _target(path, location, root)
        except ValueError as e:
            raise FormatError(path, f"include_text('{location[:200]}') {e}", line) from None
        if str(target) in chain:
            cycle = " -> ".join(Path(p).name for p in (*chain, str(target)))
            raise FormatError(path, f"include_text('{location[:200]}') makes a cycle: {cycle}", line)
        if len(chain) > MAX_INCLUDE_DEPTH:
            raise FormatError(path, f"include_text('{location[:200]}'): includes nested more than "
                              f"{MAX_INCLUDE_DEPTH} levels deep", line)
        included = read_text(target)
        budget[0] -= len(included)
        if budget[0] < 0:
            raise FormatError(path, f"the includes add up to more than {MAX_BYTES // 2**20} MB", line)
        out += [text[pos:m.start()], _expand(target, included, root, (*chain, str(target)), budget)]
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _check_templates(path: Path, text: str) -> None:
    """Refuse template syntax other than include_text (outside comment lines)."""
    plain = _INCLUDE.sub("", text)
    for m in _TEMPLATE.finditer(plain):
        start = plain.rfind("\n", 0, m.start()) + 1
        if plain[start:m.start()].lstrip().startswith("#"):
            continue
        end = plain.find("\n", m.start())
        snippet = plain[m.start():end if end >= 0 else None][:60]
        raise FormatError(path, f"template expression {snippet!r}: XbarScope resolves only "
                          f"{{{{include_text('...')}}}}, it does not run templates",
                          _line_of(plain, m.start()))


def expand_includes(path, text: str, root=None) -> str:
    """`text` of the file `path` with its include_text expressions resolved.

    `root`: the folder includes may not leave (default: the parent of `path`'s folder).
    """
    path = Path(path)
    root = os.path.realpath(root if root is not None else path.absolute().parent.parent)
    expanded = _expand(path, text, root, (os.path.realpath(path),), [MAX_BYTES])
    _check_templates(path, expanded)
    return expanded


class _Merger:
    """Resolves `<<<` merge keys into new containers (aliased input is never modified)."""

    def __init__(self, path):
        self.path, self.seen, self.left = path, {}, MAX_NODES

    def _tick(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise FormatError(self.path, f"the YAML document expands to more than {MAX_NODES:,} "
                              f"nodes (aliases nested too deep?)")

    def merged(self, base: dict, top: dict) -> dict:
        self._tick()
        out = dict(base)
        for k, v in top.items():
            out[k] = self.merged(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
        return out

    def resolve(self, node):
        if not isinstance(node, (dict, list)):
            return node
        key = id(node)
        if key in self.seen:
            return self.seen[key]
        self._tick()
        if isinstance(node, list):
            out = []
            self.seen[key] = out
            out.extend(self.resolve(v) for v in node)
            return out
        out = {}
        self.seen[key] = out
        local = {k: self.resolve(v) for k, v in node.items() if k != MERGE_KEY}
        if MERGE_KEY in node:
            bases = node[MERGE_KEY]
            bases = bases if isinstance(bases, list) else [bases]
            combined = {}
            for base in bases:
                base = self.resolve(base)
                if not isinstance(base, dict):
                    raise FormatError(self.path, f"'{MERGE_KEY}:' must name a mapping (an anchored "
                                      f"block such as *problem_base), got {type(base).__name__}")
                combined = self.merged(combined, base)
            local = self.merged(combined, local)
        out.update(local)
        return out


def _loader():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path, text: str, root=None):
    """The YAML document of a Timeloop/CiMLoop file: includes pasted in, `<<<` merged."""
    try:
        import yaml
    except ImportError:
        raise FormatError(path, "reading Timeloop/CiMLoop YAML needs the PyYAML package: "
                          "pip install pyyaml") from None
    expanded = expand_includes(path, text, root)
    shifted = " (lines counted with the included text pasted in)" if expanded != text else ""
    text = expanded
    try:
        doc = yaml.load(text, Loader=_loader())  # noqa: S506 (a safe loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        what = " ".join(x for x in (e.context, e.problem) if x) or type(e).__name__
        raise FormatError(path, f"invalid YAML: {what}{shifted}", mark.line + 1 if mark else None) from None
    except (yaml.YAMLError, ValueError, RecursionError) as e:
        raise FormatError(path, f"invalid YAML: {str(e).splitlines()[0][:200] if str(e) else type(e).__name__}") from None
    try:
        return _Merger(path).resolve(doc)
    except RecursionError:
        raise FormatError(path, "the YAML document is nested too deeply") from None
