"""Write ``db/tables.py``: the models' tables as SQLAlchemy Core ``Table`` objects.

The models (``db.models``) are the one definition of the schema. Building them costs a
report about 0.1 s (sqlmodel, pydantic models and SQLAlchemy's ORM), and a report only
reads: it needs the tables, not the classes. ``db/tables.py`` is generated from the models'
metadata by this module and never edited by hand; ``tests/test_startup.py`` fails when it
differs from what the models generate now. After changing a model, run::

    python -m db.generate_tables
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Column, MetaData, Table, UniqueConstraint
from sqlalchemy.sql.schema import ScalarElementColumnDefault

TABLES_FILE = Path(__file__).with_name("tables.py")
# Column types sqlmodel defines (how the models store strings and aware datetimes).
SQLMODEL_TYPES = "sqlmodel.sql.sqltypes"
SQLALCHEMY_TYPES = "sqlalchemy.sql.sqltypes"

HEADER = '''"""The schema's tables as SQLAlchemy Core ``Table`` objects, for code that only reads.

GENERATED from the models (``db.models``, the one definition of the schema) by
``python -m db.generate_tables``: do not edit. ``tests/test_startup.py`` fails when this
file differs from what the models generate. Reading through these tables loads neither
sqlmodel's models nor SQLAlchemy's ORM (about 0.1 s of every report's start).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from sqlalchemy import (
{imports}
)


def _sqlmodel_column_types() -> ModuleType:
    """Return sqlmodel's column types (``AutoString``, ``UTCDateTime``: how the models'
    strings and aware datetimes are stored and read back), the very module the models use.

    Imported as ``sqlmodel.sql.sqltypes`` it would first run the whole sqlmodel package
    (pydantic models and SQLAlchemy's ORM); the module itself needs only SQLAlchemy, so
    unless sqlmodel is loaded already it is loaded from its file on its own.
    """
    name = "{sqlmodel_types}"
    if name in sys.modules:
        return sys.modules[name]
    package = importlib.util.find_spec("sqlmodel")
    locations = list(package.submodule_search_locations or []) if package else []
    path = Path(locations[0]) / "sql" / "sqltypes.py" if locations else None
    spec = (importlib.util.spec_from_file_location("db._sqlmodel_column_types", path)
            if path is not None and path.is_file() else None)
    if spec is None or spec.loader is None:  # not a plain file: import it the usual way
        return importlib.import_module(name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_sqltypes = _sqlmodel_column_types()
AutoString = _sqltypes.AutoString
UTCDateTime = _sqltypes.UTCDateTime

metadata = MetaData(naming_convention={naming_convention})
'''


def _q(text: str) -> str:
    """Return a name as a double-quoted Python string."""
    return json.dumps(text)


def _type_source(column: Column[Any]) -> tuple[str, str]:
    """Return a column type's source (``String(length=3)``) and the class it names."""
    kind = type(column.type)
    if kind.__module__ not in (SQLMODEL_TYPES, SQLALCHEMY_TYPES):
        raise ValueError(f"{column.table.name}.{column.name}: a column type of "
                         f"{kind.__module__} ({kind.__name__}); teach db.generate_tables it")
    return repr(column.type), kind.__name__


def _column_source(column: Column[Any]) -> tuple[str, str]:
    type_source, type_name = _type_source(column)
    words = [_q(column.name), type_source]
    words += [f"ForeignKey({_q(key.target_fullname)})" for key in column.foreign_keys]
    if column.primary_key:
        words.append("primary_key=True")
    words.append(f"nullable={column.nullable!r}")
    default = column.default
    if default is not None:
        if not isinstance(default, ScalarElementColumnDefault):
            raise ValueError(f"{column.table.name}.{column.name}: a default that is not a "
                             "value; teach db.generate_tables it")
        words.append(f"default={default.arg!r}")
    if column.server_default is not None or column.onupdate is not None \
            or column.autoincrement != "auto" or column.key != column.name:
        raise ValueError(f"{column.table.name}.{column.name}: a column option "
                         "db.generate_tables does not write; teach it")
    return f"Column({', '.join(words)})", type_name


def _table_source(table: Table) -> tuple[str, set[str]]:
    names: set[str] = {"Column", "Table"}
    lines = [f"{table.name} = Table(", f"    {_q(table.name)}, metadata,"]
    for column in table.columns:
        text, type_name = _column_source(column)
        names.add(type_name)
        if column.foreign_keys:
            names.add("ForeignKey")
        lines.append(f"    {text},")
    for key in table.foreign_key_constraints:
        if key.name or key.ondelete or key.onupdate or key.use_alter or key.deferrable:
            raise ValueError(f"{table.name}: a foreign key option db.generate_tables does "
                             "not write; teach it")
    uniques = sorted((c for c in table.constraints if isinstance(c, UniqueConstraint)),
                     key=lambda c: [col.name for col in c.columns])
    for unique in uniques:
        names.add("UniqueConstraint")
        columns = ", ".join(_q(col.name) for col in unique.columns)
        named = f", name={_q(unique.name)}" if isinstance(unique.name, str) else ""
        lines.append(f"    UniqueConstraint({columns}{named}),")
    for index in sorted(table.indexes, key=lambda i: str(i.name)):
        names.add("Index")
        columns = ", ".join(_q(col.name) for col in index.columns)
        unique_flag = ", unique=True" if index.unique else ""
        lines.append(f"    Index({_q(str(index.name))}, {columns}{unique_flag}),")
    lines.append(")")
    return "\n".join(lines), names


def tables_source(metadata: MetaData) -> str:
    """Return the source of ``db/tables.py`` for a metadata (the models')."""
    parts, names = [], {"MetaData"}
    for table in metadata.tables.values():
        text, used = _table_source(table)
        parts.append(text)
        names |= used
    names -= {"AutoString", "UTCDateTime"}  # sqlmodel's, loaded by the header
    imports = "\n".join(f"    {name}," for name in sorted(names))
    convention = dict(metadata.naming_convention)
    header = HEADER.format(imports=imports, sqlmodel_types=SQLMODEL_TYPES,
                           naming_convention=json.dumps(convention))
    return header + "\n\n" + "\n\n".join(parts) + "\n"


def models_source() -> str:
    """Return what ``db/tables.py`` should hold, from the models as they are now."""
    from sqlmodel import SQLModel

    import db.models  # noqa: F401  (registers the tables)

    return tables_source(SQLModel.metadata)


def main() -> None:
    TABLES_FILE.write_text(models_source(), encoding="utf-8")
    print(f"wrote {TABLES_FILE}")


if __name__ == "__main__":
    main()
