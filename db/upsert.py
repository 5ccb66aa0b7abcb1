"""Idempotent bulk writes on natural keys.

``upsert`` loads the existing rows of a batch in one query per chunk, then
inserts the new ones and updates the changed ones with bulk statements, and
counts new / changed / unchanged rows. A column a source only *fills* is set
when it is empty and never overwritten; the columns a source owns are
overwritten. Provenance (``source_url``, ``fetched_at``) is never compared; it
moves only with a change made by the row's owning source.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlmodel import Session, SQLModel

PROVENANCE = ("source_url", "fetched_at")
CHUNK = 500
FEW_PREFIXES = 8  # composite keys: look up by prefix groups up to this many


@dataclass
class Counts:
    """Rows written by a store step."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        return self


def table_of(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _key_of(key: str | Sequence[str]) -> tuple[str, ...]:
    return (key,) if isinstance(key, str) else tuple(key)


def _driver_insert(connection: Connection, table: Table, names: Sequence[str],
                   has_all: Collection[str]) -> bool:
    """Whether rows carrying these columns can go to SQLite's driver directly (see
    ``_insert_many``): SQLite, known columns, no JSON, no default left for SQLAlchemy."""
    return (connection.dialect.name == "sqlite"
            and all(n in table.c for n in names)  # else SQLAlchemy's error, or its leniency
            and not any(isinstance(table.c[n].type, JSON) for n in names)  # None is "null"
            and not any(c.default is not None for c in table.c if c.name not in has_all))


def _insert_columns(connection: Connection, table: Table, names: Sequence[str],
                    columns: list[Sequence[Any]]) -> None:
    """Insert, in one executemany of SQLite's driver, the rows whose values ``columns``
    holds column by column, each value converted once by its column type's own bind
    processor: the same SQL and values SQLAlchemy would send."""
    dialect = connection.dialect
    preparer = dialect.identifier_preparer
    processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    sql = (f"INSERT INTO {preparer.format_table(table)} "
           f"({', '.join(preparer.quote(n) for n in names)}) "
           f"VALUES ({', '.join('?' for _ in names)})")
    # A batch shares its provenance, so each value object (a fetch time) is converted once;
    # the rows hold every value, so ids are unique.
    for i, convert in enumerate(processors):
        if convert is not None:
            # Each distinct value object once; then every value looked up by its id in C.
            distinct = dict(zip(map(id, columns[i]), columns[i], strict=True))
            converted = {key: None if value is None else convert(value)
                         for key, value in distinct.items()}
            columns[i] = list(map(converted.__getitem__, map(id, columns[i])))
    connection.exec_driver_sql(sql, list(zip(*columns, strict=True)))


def _insert_many(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]
                 ) -> None:
    """Insert rows that all carry the same columns, in one executemany.

    On SQLite the rows go to the driver's executemany directly, each value converted
    once by its column type's own bind processor: the same SQL and values SQLAlchemy
    would send, without its per-row parameter handling, which was most of the cost of a
    large insert. Elsewhere (and for a table whose missing columns have defaults to
    fill), SQLAlchemy's insert.
    """
    if not rows:
        return
    names = list(rows[0])
    if not _driver_insert(connection, table, names, rows[0]):
        connection.execute(insert(table), list(rows))
        return
    _insert_columns(connection, table, names, [[row[n] for row in rows] for n in names])


def insert_new(session: Session, model: type[SQLModel], names: Sequence[str],
               rows: Sequence[tuple[Any, ...]]) -> Counts:
    """Insert rows given as plain tuples (values in the order of ``names``) in one
    executemany, for a caller that has read, in this transaction, that none of their keys
    is stored and that no two rows share a key (a first sync's roll calls): no per-row
    dicts, no lookup. Return the counts (all new)."""
    if rows:
        connection = session.connection()
        table = table_of(model)
        if _driver_insert(connection, table, names, names):
            _insert_columns(connection, table, names, list(zip(*rows, strict=True)))
        else:
            connection.execute(insert(table), [dict(zip(names, row, strict=True))
                                               for row in rows])
    return Counts(new=len(rows))


def _by_columns(rows: Sequence[Mapping[str, Any]]) -> Iterable[Sequence[Mapping[str, Any]]]:
    """Group rows by the set of columns they carry (one statement each), in the order
    each set first appears; rows that all carry the same columns are one group."""
    first = rows[0].keys()
    if all(row.keys() == first for row in rows):
        return [rows]
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())


def _where_keys(table: Table, columns: tuple[str, ...], keys: Sequence[Any]) -> Any:
    """Return a WHERE clause that finds (at least) the rows with these keys.

    A composite key whose leading columns take few values in the chunk (a source
    name, say) is looked up as ``lead = v AND last IN (...)`` per value; else by
    its leading column alone. Both are served by the key's unique index on every
    backend (row-value IN lists are slow on PostgreSQL); the caller keeps only
    the keys it asked for.
    """
    if len(columns) == 1:
        return table.c[columns[0]].in_(keys)
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for k in keys:
        groups.setdefault(tuple(k[:-1]), []).append(k[-1])
    if len(groups) <= FEW_PREFIXES:
        return or_(*(and_(*(table.c[c] == v for c, v in zip(columns, prefix, strict=False)),
                          table.c[columns[-1]].in_(last))
                     for prefix, last in groups.items()))
    return table.c[columns[0]].in_(sorted({k[0] for k in keys}))


def upsert(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: str | Sequence[str],
    fill_only: Collection[str] = (),
    provenance: Mapping[str, Any] | None = None,
    secondary: bool = False,
    new_ids: bool = True,
    absent: bool = False,
) -> tuple[dict[Any, int], Counts]:
    """Insert or update rows by their natural key; return {key: id} and the counts.

    ``key`` is one column or several; the returned ids are keyed by the column's
    value, or by a tuple of values for a composite key. ``fill_only`` columns
    are only set when empty, unless the row came from this same page or record
    (same ``source_url``). A ``secondary`` source adds to rows another source
    states without moving their provenance; it owns, and updates in full, the
    rows it alone states. With ``new_ids=False`` (a caller that needs no ids) the
    ids of the rows inserted are not read back: a plain bulk insert. With ``absent=True``
    the caller has read, in this transaction, that no row of the batch's keys exists (none
    in a scope that holds them all, as on a first sync): they are not looked up again.
    """
    table = table_of(model)
    pk = next(iter(table.primary_key.columns))
    columns = _key_of(key)
    composite = len(columns) > 1
    # Core statements on the session's connection: the same transaction, without the
    # ORM's per-statement work (these writes hold no ORM objects).
    connection = session.connection()

    # A row's key, read in C: a tuple of values for a composite key, else the value.
    key_value = itemgetter(*columns)

    counts = Counts()
    merged: dict[Any, Mapping[str, Any]] = {}
    for row in rows:  # the last row of a key in a batch wins, like sequential writes
        try:
            k = key_value(row)
        except KeyError:
            k = None
        if k is None or (composite and None in k):
            # NULL never equals NULL in SQL: such a row could never be found again.
            raise ValueError(f"{table.name}: a row has no value for its key "
                             f"{', '.join(columns)}: {dict(row)!r}")
        earlier = merged.get(k)
        # Rows are read, never changed: a copy only where two rows of a key merge.
        merged[k] = row if earlier is None else {**earlier, **row}
    keys = list(merged)
    existing: dict[Any, Any] = {}
    wanted = set(keys)
    for chunk in _chunks(keys) if not absent else ():
        for found in connection.execute(select(table).where(_where_keys(table, columns, chunk))
                                        ).mappings():
            found_key = key_value(found)
            if found_key in wanted:
                existing[found_key] = found
    inserts: list[Mapping[str, Any]] = []
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    if not existing:  # every row is new (a first sync): nothing to compare
        inserts = [{**provenance, **row} for row in merged.values()] if provenance else list(
            merged.values())
        counts.new = len(inserts)
        merged = {}
    for k, row in merged.items():
        old = existing.get(k)
        if old is None:
            inserts.append({**provenance, **row} if provenance else row)
            counts.new += 1
            continue
        incoming_url = row.get("source_url", (provenance or {}).get("source_url"))
        # The page (or record) that stated a row owns it in full, fill-only columns too.
        same_page = incoming_url is not None and old["source_url"] == incoming_url
        owner = not secondary or same_page
        changes = {}
        for column, value in row.items():
            if column in columns or column in PROVENANCE:
                continue
            if column in fill_only and not same_page:
                if old[column] is None and value is not None:
                    changes[column] = value
            elif old[column] != value:
                changes[column] = value
        if not changes and owner and not same_page and incoming_url is not None:
            # The owning source states a row another page stated first: it claims the row's
            # provenance, so the result does not depend on the order pages were synced in.
            changes = {"source_url": incoming_url}
        if not changes:
            counts.unchanged += 1
            continue
        counts.changed += 1
        if owner:
            # A row may carry its own provenance (one record, one URL); else the batch's.
            changes.update(provenance or {})
            changes.update({c: row[c] for c in PROVENANCE if c in row})
        changes["_id"] = old[pk.name]
        updates.setdefault(tuple(sorted(changes)), []).append(changes)
    ids = {k: old[pk.name] for k, old in existing.items()}
    # SQLite returns the new ids with a multi-row insert. On PostgreSQL that statement is
    # larger than psycopg's plain executemany plus one lookup, and slower: measured.
    dialect = connection.dialect
    returning = (new_ids and dialect.name == "sqlite"
                 and dialect.insert_executemany_returning)
    if inserts:
        for batch in _by_columns(inserts):
            if returning:  # the new ids come back with the insert
                inserted = insert(table).returning(pk, *(table.c[c] for c in columns))
                for found_id, *found_key in connection.execute(inserted, batch):
                    ids[tuple(found_key) if composite else found_key[0]] = found_id
            else:
                _insert_many(connection, table, batch)
    for changed_columns, batch in updates.items():
        statement = (
            update(table)
            .where(pk == bindparam("_id"))
            .values({c: bindparam(c) for c in changed_columns if c != "_id"})
        )
        connection.execute(statement, batch)
    new_keys = [key_value(row) for row in inserts] if new_ids and not returning else []
    fresh = set(new_keys)
    for chunk in _chunks(new_keys):
        found_rows = connection.execute(
            select(*(table.c[c] for c in columns), pk)
            .where(_where_keys(table, columns, chunk)))
        for *found_key, found_id in found_rows:
            new_key = tuple(found_key) if composite else found_key[0]
            if new_key in fresh:
                ids[new_key] = found_id
    return ids, counts


def replace_set(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
    scope: Any,
    provenance: Mapping[str, Any] | None = None,
) -> Counts:
    """Make the rows within ``scope`` (a WHERE clause) exactly ``rows``, keyed by ``key``.

    For link rows (vetoes, findings) that a page states in full: rows it no
    longer states are deleted, rows it states anew are inserted.
    """
    table = table_of(model)
    connection = session.connection()  # Core statements, as in upsert
    counts = Counts()
    columns = [table.c[c] for c in key]
    present = {tuple(r): i for *r, i in connection.execute(
        select(*columns, table.c.id).where(scope))}
    wanted = {tuple(row[c] for c in key): row for row in rows}
    stale = [i for k, i in present.items() if k not in wanted]
    for chunk in _chunks(stale):
        connection.execute(delete(table).where(table.c.id.in_(chunk)))
    counts.deleted = len(stale)
    new_rows = [{**row, **(provenance or {})} for k, row in wanted.items() if k not in present]
    counts.unchanged = len(wanted) - len(new_rows)
    counts.new = len(new_rows)
    if new_rows:
        # Another scope may already hold the row (a veto moved between pages): skip those.
        existing: set[tuple[Any, ...]] = set()
        for chunk in _chunks([tuple(r[c] for c in key) for r in new_rows]):
            where = (tuple_(*columns).in_(chunk) if len(columns) > 1
                     else columns[0].in_([k[0] for k in chunk]))
            existing.update(tuple(r) for r in connection.execute(select(*columns).where(where)))
        new_rows = [r for r in new_rows if tuple(r[c] for c in key) not in existing]
        for batch in _by_columns(new_rows) if new_rows else ():
            _insert_many(connection, table, batch)
    return counts


def scope_in(
    model: type[SQLModel], column: str, values: Collection[Any] | None, **equal: Any
) -> Any:
    """Return a WHERE clause: ``column IN values AND other = value ...``."""
    table = table_of(model)
    clauses = [table.c[column].in_(list(values))] if values is not None else []
    clauses += [table.c[c] == v for c, v in equal.items()]
    return and_(*clauses)
