"""Fail when a column derived from a personal (PII-tagged) column is not tagged itself.

Personal columns carry `config: {meta: {pii: <kind>}}` in the YAML, from the sources to
the marts. A tag only means something if it follows the data, so this check traces every
output column of every model of this project, through its compiled SQL (sqlglot), back
to the columns of the model's direct parents (refs, sources, seeds) that it derives
from; a column that derives from a tagged one must be tagged too. By induction over the
DAG, a personal value cannot reach a mart untagged.

What "derives from" means here (why: a tag is about the values a column can reveal):
- every column its projection reads, through CTEs, unions, subqueries and lateral
  unnests, CASE conditions and window partitions included (a browser parsed from a user
  agent with `like` tests reveals the user agent as surely as a copy does);
- a column of a relation looked up by a join condition derives from the other side's
  columns of that condition too (a census region looked up by a state code);
- the arguments of count() do not count: how many rows there are reveals no value;
  every other aggregate (min, max, sum, ...) can return a value, so its input counts;
- where, group by and having filter or group rows: they make no other column personal.
A JSON column may say which of its keys are personal with `pii_fields: {key: kind}`;
then `record ->> 'key'` derives from that key alone.

A column derived from a direct identifier is one too (a copied name must not leave
models/marts/restricted/ under a milder tag); a tag's kind is one of KINDS; among the
marts, direct identifiers live under models/marts/restricted/ only. A model sqlglot
cannot parse or trace fails the check, by name: nothing passes untraced.

Reads target/manifest.json (compiled SQL, YAML tags) and target/catalog.json (the columns
of every built relation): run `dbt build` and then `dbt docs generate` first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope

from sparkify.checks.docs import PROJECT

DIRECT = "direct_identifier"
QUASI = "quasi_identifier"
KINDS = (DIRECT, QUASI)
DIALECT = "postgres"
MARTS = ("marts",)
RESTRICTED_MARTS = ("marts", "restricted")

Node = Mapping[str, Any]
RelationKey = tuple[str, str, str]  # database, schema, identifier; lower case


class TraceError(Exception):
    """sqlglot could not parse a model, or a column could not be followed to a parent."""


@dataclass(frozen=True, order=True)
class ColumnRef:
    """A column of a relation, or one key of a JSON column (field)."""

    relation: str  # unique id
    column: str
    field: str | None = None


@dataclass
class Report:
    """What the check found: one line per problem, and what it traced."""

    problems: list[str] = field(default_factory=list)
    models: int = 0
    columns: int = 0
    tagged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))


# --- the project's nodes and tags ------------------------------------------------------


def project_models(manifest: Node) -> list[tuple[str, Node]]:
    """This project's models, by unique id (not those of installed packages)."""
    return sorted(
        (unique_id, node)
        for unique_id, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") == "model" and node.get("package_name") == PROJECT
    )


def all_nodes(manifest: Node) -> dict[str, Node]:
    """Models, seeds, snapshots and sources by unique id: everything a model can read."""
    return {**manifest.get("nodes", {}), **manifest.get("sources", {})}


def display_name(unique_id: str, node: Node | None) -> str:
    """How a person names a relation: `dim_users`, or `sparkify.log_data` for a source."""
    if node is None:
        return unique_id
    if node.get("resource_type") == "source":
        return f"{node['source_name']}.{node['name']}"
    return str(node["name"])


def column_meta(column: Node) -> Mapping[str, Any]:
    """A column's meta: dbt >= 1.10 reads it from `config:`; older YAML had it top level."""
    config_meta = (column.get("config") or {}).get("meta") or {}
    return {**(column.get("meta") or {}), **config_meta}


def column_tags(node: Node) -> dict[str, Any]:
    """The `pii` value of each tagged column of a node, by lower-case column name."""
    tags = {}
    for name, column in node.get("columns", {}).items():
        value = column_meta(column).get("pii")
        if value is not None:
            tags[name.lower()] = value
    return tags


def field_tags(node: Node) -> dict[str, Mapping[str, Any]]:
    """The `pii_fields` of each JSON column that has them: {column: {key: kind}}."""
    found = {}
    for name, column in node.get("columns", {}).items():
        fields = column_meta(column).get("pii_fields")
        if fields is not None:
            found[name.lower()] = fields
    return found


def kind_of(ref: ColumnRef, nodes: Mapping[str, Node]) -> str | None:
    """The kind a parent column (or JSON key) is tagged with; None when not personal."""
    node = nodes.get(ref.relation)
    if node is None:
        return None
    if ref.field is not None:
        fields = field_tags(node).get(ref.column)
        if isinstance(fields, Mapping):
            return fields.get(ref.field)
    return column_tags(node).get(ref.column)


def bad_kinds(unique_id: str, node: Node) -> Iterator[str]:
    """Tags whose value is not a kind the project knows (a typo tags nothing)."""
    name = display_name(unique_id, node)
    for column, value in sorted(column_tags(node).items()):
        if value not in KINDS:
            yield f"{name}.{column}: pii is {value!r}, not one of {', '.join(KINDS)}"
    for column, fields in sorted(field_tags(node).items()):
        if not isinstance(fields, Mapping):
            yield f"{name}.{column}: pii_fields must map JSON keys to a kind"
            continue
        for key, value in sorted(fields.items()):
            if value not in KINDS:
                yield (
                    f"{name}.{column}.{key}: pii_fields kind is {value!r}, "
                    f"not one of {', '.join(KINDS)}"
                )


def model_folder(node: Node) -> tuple[str, ...]:
    """The model's folders under models/ (`path` is relative to the model paths)."""
    return PurePosixPath(str(node.get("path", ""))).parts[:-1]


def misplaced_direct_identifiers(node: Node) -> Iterator[str]:
    """Direct identifiers in a mart outside marts/restricted/, where every reader sees them."""
    folder = model_folder(node)
    if folder[: len(MARTS)] != MARTS or folder[: len(RESTRICTED_MARTS)] == RESTRICTED_MARTS:
        return
    for column, value in sorted(column_tags(node).items()):
        if value == DIRECT:
            yield (
                f"{node['name']}.{column}: a {DIRECT} in a mart outside models/marts/restricted/"
            )


# --- column lineage ---------------------------------------------------------------------


def relation_key(database: object, schema: object, identifier: object) -> RelationKey:
    return (str(database).lower(), str(schema).lower(), str(identifier).lower())


def catalog_key(entry: Node) -> RelationKey:
    metadata = entry["metadata"]
    return relation_key(metadata.get("database"), metadata["schema"], metadata["name"])


def json_key(column: exp.Column) -> str | None:
    """The top-level key read from a JSON column (`record ->> 'key'`), if that is all."""
    parent = column.parent
    if not isinstance(parent, exp.JSONExtract | exp.JSONExtractScalar) or parent.this is not column:
        return None
    path = parent.expression
    if not isinstance(path, exp.JSONPath):
        return None
    keys = [part for part in path.expressions if not isinstance(part, exp.JSONPathRoot)]
    if keys and isinstance(keys[0], exp.JSONPathKey) and isinstance(keys[0].this, str):
        return keys[0].this
    return None


def references(expression: exp.Expr) -> Iterator[exp.Expr]:
    """The columns and subqueries an expression reads, leaving out count()'s arguments.

    Subqueries are yielded whole (they are scopes of their own), not walked into.
    """
    stack: list[exp.Expr] = [expression]
    while stack:
        node = stack.pop()
        if isinstance(node, exp.Count):
            continue
        if node is not expression and isinstance(node, exp.Query):
            yield node
            continue
        if isinstance(node, exp.Column):
            yield node
            continue
        stack.extend(node.iter_expressions())


class Tracer:
    """Traces the output columns of one qualified query to the tables it reads."""

    def __init__(self, root: Scope, tables: Mapping[RelationKey, str], itself: str) -> None:
        self.root = root
        self.tables = tables  # the parents' relations -> unique id
        self.itself = itself  # an incremental model may read its own table: not a parent
        self.memo: dict[tuple[int, str, str, str | None], frozenset[ColumnRef]] = {}

    def output(self, name: str) -> frozenset[ColumnRef]:
        return self.scope_column(self.root, name, None)

    def scope_column(
        self, scope: Scope, name: str, key: str | None, index: int | None = None
    ) -> frozenset[ColumnRef]:
        """What a scope's output column derives from; by position in a union's branches."""
        query = scope.expression
        if isinstance(query, exp.SetOperation | exp.Subquery):
            if index is None:
                names = query.named_selects
                if name not in names:
                    raise TraceError(f"no column {name} in {query.sql(DIALECT)[:80]}")
                index = names.index(name)
            branches = scope.set_operation_scopes or scope.subquery_scopes
            found: set[ColumnRef] = set()
            for branch in branches:
                found |= self.scope_column(branch, name, key, index)
            return frozenset(found)
        if not isinstance(query, exp.Select):
            raise TraceError(f"cannot trace through {type(query).__name__}")
        selects = query.selects
        if index is not None:
            projection = selects[index]
        else:
            matching = [select for select in selects if select.alias_or_name == name]
            if not matching:
                raise TraceError(f"no column {name} in {query.sql(DIALECT)[:80]}")
            projection = matching[0]
        value = projection.this if isinstance(projection, exp.Alias) else projection
        # A JSON key read further down follows only a plain copy of the column.
        return self.expression(scope, value, key if isinstance(value, exp.Column) else None)

    def expression(
        self, scope: Scope, value: exp.Expr, key: str | None = None
    ) -> frozenset[ColumnRef]:
        found: set[ColumnRef] = set()
        subqueries = {id(sub.expression): sub for sub in scope.subquery_scopes}
        for reference in references(value):
            if isinstance(reference, exp.Column):
                found |= self.column(scope, reference, json_key(reference) or key)
                continue
            subquery = subqueries.get(id(reference))
            if subquery is None:
                raise TraceError(f"cannot find the scope of {reference.sql(DIALECT)[:80]}")
            for name in subquery.expression.named_selects:
                found |= self.scope_column(subquery, name, None)
        return frozenset(found)

    def column(self, scope: Scope, column: exp.Column, key: str | None) -> frozenset[ColumnRef]:
        """A column read in a scope: follow it into its CTE, subquery, unnest or table."""
        table = column.table
        memo_key = (id(scope), table, column.name, key)
        if memo_key in self.memo:
            return self.memo[memo_key]
        self.memo[memo_key] = frozenset()  # SQL has no cycle of lookups; never loop on one
        source = scope.sources.get(table)
        found: set[ColumnRef] = set()
        if not table or source is None:
            raise TraceError(f"cannot tell which relation {column.sql(DIALECT)} comes from")
        if isinstance(source, Scope) and source.is_udtf:
            # A column of `unnest(...)` derives from what the function reads.
            found |= self.expression(source, source.expression)
        elif isinstance(source, Scope):
            found |= self.scope_column(source, column.name, key)
        elif isinstance(source, exp.Table):
            found |= self.table_column(source, column.name, key)
        else:
            raise TraceError(f"cannot trace {column.sql(DIALECT)} into {type(source).__name__}")
        found |= self.looked_up_by(scope, table)
        self.memo[memo_key] = frozenset(found)
        return self.memo[memo_key]

    def table_column(self, table: exp.Table, name: str, key: str | None) -> frozenset[ColumnRef]:
        unique_id = self.tables.get(relation_key(table.catalog, table.db, table.name))
        if unique_id == self.itself:
            return frozenset()
        if unique_id is None:
            raise TraceError(f"reads {table.sql(DIALECT)}, which is none of its parents")
        return frozenset({ColumnRef(unique_id, name.lower(), key)})

    def looked_up_by(self, scope: Scope, alias: str) -> frozenset[ColumnRef]:
        """The other side's columns of the condition a relation is joined on."""
        found: set[ColumnRef] = set()
        query = scope.expression
        if not isinstance(query, exp.Select):
            return frozenset()
        for join in query.args.get("joins") or []:
            condition = join.args.get("on")
            if join.alias_or_name != alias or condition is None:
                continue
            for reference in condition.find_all(exp.Column):
                if reference.table != alias:
                    found |= self.column(scope, reference, None)
        return frozenset(found)


def trace(
    sql: str,
    schema: Mapping[RelationKey, list[str]],
    tables: Mapping[RelationKey, str],
    itself: str,
) -> dict[str, frozenset[ColumnRef]]:
    """Every output column of a model's compiled SQL, and the parent columns it derives from.

    `schema` gives the columns of every relation the SQL reads (so `select *` expands);
    `tables` which parent each relation is.
    """
    # Column names only: lineage needs no types.
    nested: dict[str, dict[str, dict[str, dict[str, str]]]] = {}
    for (database, schema_name, identifier), columns in schema.items():
        tables_of_schema = nested.setdefault(database, {}).setdefault(schema_name, {})
        tables_of_schema[identifier] = {column.lower(): "unknown" for column in columns}
    try:
        parsed = sqlglot.parse_one(sql, dialect=DIALECT)
        qualified = qualify(
            parsed, schema=nested, dialect=DIALECT, identify=False, validate_qualify_columns=True
        )
        root = build_scope(qualified)
        if root is None:
            raise TraceError("it is not a query")
        tracer = Tracer(root, tables, itself)
        return {name.lower(): tracer.output(name) for name in qualified.named_selects}
    except SqlglotError as exc:
        raise TraceError(first_line(str(exc))) from exc
    except TraceError:
        raise
    except Exception as exc:
        # sqlglot failing inside on SQL it does not know is a model this check cannot
        # vouch for: say which, in one line, rather than stop with a traceback.
        raise TraceError(f"sqlglot failed: {type(exc).__name__}: {first_line(str(exc))}") from exc


def first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "no reason given"


# --- the check --------------------------------------------------------------------------


def model_lineage(
    unique_id: str, node: Node, nodes: Mapping[str, Node], catalog: Node
) -> dict[str, frozenset[ColumnRef]]:
    """Trace one model's built columns; TraceError says why it cannot be."""
    built = {**catalog.get("nodes", {}), **catalog.get("sources", {})}
    sql = node.get("compiled_code")
    if not sql:
        raise TraceError("no compiled SQL in manifest.json; run `dbt docs generate` first")
    if unique_id not in built:
        raise TraceError("not in catalog.json; build it, then run `dbt docs generate`")
    schema: dict[RelationKey, list[str]] = {}
    tables: dict[RelationKey, str] = {}
    for relation in [*node.get("depends_on", {}).get("nodes", []), unique_id]:
        entry = built.get(relation)
        if entry is None:
            name = display_name(relation, nodes.get(relation))
            raise TraceError(f"its parent {name} is not in catalog.json; build it first")
        schema[catalog_key(entry)] = list(entry.get("columns", {}))
        tables[catalog_key(entry)] = relation
    lineage = trace(sql, schema, tables, unique_id)
    for column in built[unique_id].get("columns", {}):
        if column.lower() not in lineage:
            raise TraceError(f"its SQL has no output column {column.lower()}")
    return lineage


def strength(kind: object) -> int:
    """How personal a tag says a column is: 0 not, 1 quasi, 2 direct (a typo counts as 1)."""
    if kind is None:
        return 0
    return 2 if kind == DIRECT else 1


def undertagged_derivations(
    node: Node, lineage: Mapping[str, frozenset[ColumnRef]], nodes: Mapping[str, Node]
) -> Iterator[str]:
    """`model.column <- parent.column (kind): ...` for each column tagged less than a parent.

    Untagged is less than either kind; a quasi identifier is less than a direct one, so
    that a copied name cannot leave marts/restricted/ under a milder tag.
    """
    tags = column_tags(node)
    for column, parents in sorted(lineage.items()):
        tag = tags.get(column)
        if tag is not None and tag not in KINDS:
            continue  # reported by bad_kinds
        for parent in sorted(parents):
            kind = kind_of(parent, nodes)
            if strength(tag) >= strength(kind):
                continue
            source = display_name(parent.relation, nodes.get(parent.relation))
            path = ".".join(part for part in (source, parent.column, parent.field) if part)
            found = "untagged" if tag is None else f"tagged {tag}"
            yield f"{node['name']}.{column} <- {path} ({kind}): {found}"


def check(manifest: Node, catalog: Node) -> Report:
    """Every problem of the project's PII tags, and what was traced."""
    report = Report()
    nodes = all_nodes(manifest)
    for unique_id, node in sorted(nodes.items()):
        if node.get("package_name") == PROJECT:
            report.problems.extend(bad_kinds(unique_id, node))
    for unique_id, node in project_models(manifest):
        report.problems.extend(misplaced_direct_identifiers(node))
        try:
            lineage = model_lineage(unique_id, node, nodes, catalog)
        except TraceError as exc:
            report.problems.append(f"{node['name']}: cannot trace its columns: {exc}")
            continue
        report.models += 1
        report.columns += len(lineage)
        for value in column_tags(node).values():
            if value in report.tagged:
                report.tagged[value] += 1
        report.problems.extend(undertagged_derivations(node, lineage, nodes))
    return report
