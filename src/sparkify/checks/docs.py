"""Find models, seeds, snapshots and sources of this project, or columns, with no description.

Reads target/manifest.json and target/catalog.json (after `dbt docs generate`). Columns
are taken from both the YAML (manifest) and the database (catalog): a column that exists in
the built relation but is missing from the YAML is undocumented too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sparkify.errors import UsageError

PROJECT = "sparkify"
DOCUMENTED_TYPES = frozenset({"model", "seed", "snapshot", "source"})

Node = Mapping[str, Any]


def load(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise UsageError(f"{path} not found; run `dbt docs generate` first")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def is_blank(text: object) -> bool:
    return not isinstance(text, str) or not text.strip()


def project_nodes(manifest: Mapping[str, Any]) -> Iterator[tuple[str, Node]]:
    """This project's documentable nodes, sources included, by unique id."""
    for section in ("nodes", "sources"):
        for unique_id, node in manifest.get(section, {}).items():
            if (
                node.get("resource_type") in DOCUMENTED_TYPES
                and node.get("package_name") == PROJECT
            ):
                yield unique_id, node


def problems(manifest: Mapping[str, Any], catalog: Mapping[str, Any]) -> Iterator[str]:
    catalog_entries = {**catalog.get("nodes", {}), **catalog.get("sources", {})}
    for unique_id, node in sorted(project_nodes(manifest)):
        if is_blank(node.get("description")):
            yield f"{unique_id}: no description"
        yaml_columns = {name.lower(): column for name, column in node.get("columns", {}).items()}
        for name, column in sorted(yaml_columns.items()):
            if is_blank(column.get("description")):
                yield f"{unique_id}: column {name} has no description"
        built = catalog_entries.get(unique_id)
        if built is None:
            continue
        for name in sorted(column.lower() for column in built.get("columns", {})):
            if name not in yaml_columns:
                yield f"{unique_id}: column {name} is in the database but not in the YAML"
