"""Publishing: the build schemas and the published ones change places in one transaction.

`marts__build` becomes `marts` and the old `marts` becomes `marts__build`, for every layer
at once, so the next build starts from the previous published state (the incremental models
stay incremental: each catches up from its own watermark). Before renaming, the transaction
takes every published table's ACCESS EXCLUSIVE lock, in byte order of the names: a
reader that locked its tables first, in that order (the report does), finishes on the
old warehouse, one that comes after reads the new one, and none sees a mix. A reader that
locks in another order may deadlock with the publish, which Postgres then cancels and
the build tries again.
"""

from __future__ import annotations

from collections.abc import Mapping

import psycopg
from psycopg import sql

from sparkify.access.grants import grant_schema_usage, revoke_schema_usage

# How long the publish waits for readers of the published schemas before giving up.
LOCK_TIMEOUT = "5min"


def published_name(build_schema: str, suffix: str) -> str:
    return build_schema.removesuffix(suffix)


def swap_schemas(
    conn: psycopg.Connection,
    build_schemas: tuple[str, ...],
    suffix: str,
    drop_old: bool = False,
    readers: Mapping[str, tuple[str, ...]] | None = None,
) -> None:
    """Within the caller's transaction: lock what readers see, then exchange the names.
    With drop_old, the old published schemas are dropped instead of becoming the copy.

    readers: the roles that may look into each build schema once it is published (its
    models' grants); only the published schema lets them in, never the build copy, so
    nobody reads a build that has not passed."""
    readers = readers or {}
    published = [published_name(schema, suffix) for schema in build_schemas]
    conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
    relations = conn.execute(
        "select format('%%I.%%I', n.nspname, c.relname) from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace "
        # Tables, not views: locking a view locks the tables it reads, the raw layer's
        # included, which dbt's role may read but not lock exclusively. A view holds no
        # data of its own, and the report reads tables only.
        "where n.nspname = any(%s) and c.relkind in ('r', 'm', 'p', 'f') "
        # The order readers should lock in too (the report does): byte order of the names.
        "order by format('%%I.%%I', n.nspname, c.relname) collate \"C\"",
        [published],
    ).fetchall()
    if relations:
        names = sql.SQL(", ").join(sql.SQL(name) for (name,) in relations)
        conn.execute(sql.SQL("lock table {} in access exclusive mode").format(names))
    existing = {
        name
        for (name,) in conn.execute(
            "select nspname from pg_namespace where nspname = any(%s)", [published]
        )
    }
    for build_schema, schema in zip(build_schemas, published, strict=True):
        swap = f"{schema}__swap"
        if schema in existing:
            _rename(conn, schema, swap)
        _rename(conn, build_schema, schema)
        if schema in existing:
            if drop_old:
                conn.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(swap)))
            else:
                _rename(conn, swap, build_schema)
        grant_schema_usage(conn, schema, list(readers.get(build_schema, ())))
        if schema in existing and not drop_old:
            # Whoever could look into the old published schema (not only today's readers:
            # a role taken out of the grants since) may not look into the copy.
            revoke_schema_usage(conn, build_schema, _grantees(conn, build_schema))


def _grantees(conn: psycopg.Connection, schema: str) -> list[str]:
    """The roles, other than its owner, granted anything on the schema."""
    rows = conn.execute(
        "select distinct a.grantee::regrole::text from pg_namespace n, aclexplode(n.nspacl) a "
        "where n.nspname = %s and a.grantee not in (0, n.nspowner)",
        [schema],
    ).fetchall()
    return [name.strip('"') for (name,) in rows]


def _rename(conn: psycopg.Connection, old: str, new: str) -> None:
    conn.execute(
        sql.SQL("alter schema {} rename to {}").format(sql.Identifier(old), sql.Identifier(new))
    )
