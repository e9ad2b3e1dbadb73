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


def load_yaml(text: str) -> YamlDocument:
    """Parse one YAML document; raises yaml.YAMLError on broken syntax."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    document = YamlDocument(None)
    if root is not None:
        document.data = _convert(root, "", document.lines, loader)
    return document


def _convert(node: yaml.Node, path: str, lines: dict[str, int], loader: _Loader) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, path, {}, loader)
            key_text = str(key)
            child = f"{path}.{key_text}" if path else key_text
            result[key] = _convert(value_node, child, lines, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, f"{path}[{i}]", lines, loader) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        try:
            return Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            return node.value
    return loader.construct_object(node, deep=True)
