"""Loading YAML into plain values with the line of every key, and no float in sight.

Numbers become `Decimal` from their written text (so `0.1` is exactly 0.1 and a code written
`1.10` stays `1.10`), only `true`/`false` are booleans (YAML 1.1 would read a `yes:` key as
True), and `lines[path]` gives the 1-based line where each value starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass
class YamlDocument:
    data: Any
    lines: dict[str, int] = field(default_factory=dict)

    def line(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = _parent(path)
        return None


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


# Aliases let a few lines stand for an exponential number of values ("billion laughs"); a
# national criteria set is a few thousand values, so a document past this many is refused.
MAX_VALUES = 200_000
# PyYAML composes nested nodes recursively: deeper documents would exhaust the stack.
MAX_DEPTH = 100


def load_yaml(text: str) -> YamlDocument:
    """Parse one YAML document; raises yaml.YAMLError on broken syntax, on a document nested
    deeper than MAX_DEPTH or expanding (through aliases) to more than MAX_VALUES values."""
    _check_depth(text)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except RecursionError:
        raise yaml.YAMLError(f"the document is nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()
    document = YamlDocument(None)
    if root is not None:
        document.data = _Converter(loader, document.lines).convert(root, "", 0)
    return document


_OPENING = (
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
)
_CLOSING = (yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken, yaml.BlockEndToken)


def _check_depth(text: str) -> None:
    """Refuse flow or block nesting deeper than MAX_DEPTH before PyYAML recurses into it."""
    depth = 0
    for token in yaml.scan(text, Loader=_Loader):
        if isinstance(token, _OPENING):
            depth += 1
        elif isinstance(token, _CLOSING):
            depth -= 1
        if depth > MAX_DEPTH:
            raise yaml.MarkedYAMLError(
                problem=f"the document is nested more than {MAX_DEPTH} levels deep",
                problem_mark=token.start_mark,
            )


class _Converter:
    def __init__(self, loader: _Loader, lines: dict[str, int]) -> None:
        self.loader = loader
        self.lines = lines
        self.values = 0

    def convert(self, node: yaml.Node, path: str, depth: int, *, key: bool = False) -> Any:
        self.values += 1
        if self.values > MAX_VALUES or depth > MAX_DEPTH:
            limit = (
                f"more than {MAX_VALUES} values (through aliases)"
                if self.values > MAX_VALUES
                else f"nested more than {MAX_DEPTH} levels deep"
            )
            raise yaml.MarkedYAMLError(
                problem=f"the document is {limit}", problem_mark=node.start_mark
            )
        if not key:
            self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.convert(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(node.value)
            ]
        assert isinstance(node, yaml.ScalarNode)
        if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            try:
                return Decimal(node.value.replace("_", ""))
            except InvalidOperation:
                return node.value
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:  # e.g. a date 2024-13-45: month 13
            raise yaml.MarkedYAMLError(
                problem=f"cannot read the value '{node.value}': {exc}",
                problem_mark=node.start_mark,
            ) from None

    def _mapping(self, node: yaml.MappingNode, path: str, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.MarkedYAMLError(
                    problem="a key must be a single value, not a list or a mapping",
                    problem_mark=key_node.start_mark,
                )
            key = self.convert(key_node, path, depth + 1, key=True)
            if key in result:  # YAML forbids it; PyYAML would silently keep the last value
                raise yaml.MarkedYAMLError(
                    problem=f"the key '{key}' is repeated", problem_mark=key_node.start_mark
                )
            key_text = str(key)
            child = f"{path}.{key_text}" if path else key_text
            result[key] = self.convert(value_node, child, depth + 1)
        return result
