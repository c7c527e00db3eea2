"""Synthetic schemas from a seed, rendered both as SQL DDL (retort's desired schema and migrations)
and as SQLAlchemy (Alembic's target metadata and `op.create_table` calls), so both tools see the
same tables, columns, keys and indexes under the same names."""

import random
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class ColumnType:
    ddl: str
    sqlalchemy: str
    # False: the synthetic schema puts no key on such a column (MariaDB indexes a TEXT column
    # only with a prefix length, or as a hash of the whole value for UNIQUE).
    indexable: bool = True


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    not_null: bool = False


@dataclass(frozen=True)
class ForeignKey:
    name: str
    column: str
    table: str  # references table(id)


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    unique: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    uniques: tuple[Index, ...] = ()  # unique constraints
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[Index, ...] = ()  # plain and unique indexes

    @property
    def primary_key(self) -> str:
        return f"{self.name}_pk"


@dataclass(frozen=True)
class Schema:
    tables: tuple[Table, ...] = field(default_factory=tuple)


BIGINT = ColumnType("bigint", "sa.BigInteger()")
TEXT = ColumnType("text", "sa.Text()")
SCALAR_TYPES = (
    ColumnType("integer", "sa.Integer()"),
    BIGINT,
    TEXT,
    ColumnType("varchar(40)", "sa.String(40)"),
    ColumnType("varchar(255)", "sa.String(255)"),
    ColumnType("boolean", "sa.Boolean()"),
    ColumnType("timestamptz", "sa.DateTime(timezone=True)"),
    ColumnType("numeric(12,2)", "sa.Numeric(12, 2)"),
    ColumnType("date", "sa.Date()"),
)
ID = Column("id", BIGINT, not_null=True)

# The kinds of columns of the synthetic schema on MariaDB, in its own words: no timestamptz (a plain
# datetime instead), no date; boolean is stored as tinyint(1). TEXT gets no key (see indexable).
MARIADB_TEXT = ColumnType("text", "sa.Text()", indexable=False)
MARIADB_SCALAR_TYPES = (
    ColumnType("int", "sa.Integer()"),
    BIGINT,
    MARIADB_TEXT,
    ColumnType("varchar(40)", "sa.String(40)"),
    ColumnType("varchar(255)", "sa.String(255)"),
    ColumnType("boolean", "sa.Boolean()"),
    ColumnType("datetime", "sa.DateTime()"),
    ColumnType("decimal(12,2)", "sa.Numeric(12, 2)"),
)


def table_name(i: int) -> str:
    return f"t{i:05d}"


# The chain's timestamp column per dialect: MariaDB has no timestamptz, and SQLAlchemy renders
# DateTime(timezone=True) there as DATETIME, so retort's files and the floor's script say that too.
CREATED_AT = {
    "postgresql": ColumnType("timestamptz", "sa.DateTime(timezone=True)"),
    "mariadb": ColumnType("datetime", "sa.DateTime(timezone=True)"),
}


def chain_table(i: int, dialect: str = "postgresql") -> Table:
    """The one table a revision of the migration chain creates: the same shape every time."""
    return Table(
        table_name(i),
        (
            ID,
            Column("name", ColumnType("varchar(100)", "sa.String(100)"), not_null=True),
            Column("created_at", CREATED_AT[dialect]),
        ),
    )


def synthetic(tables: int, seed: int, types: tuple[ColumnType, ...] = SCALAR_TYPES) -> Schema:
    """Tables of 4 to 12 columns, some NOT NULL, foreign keys to earlier tables, unique constraints,
    unique indexes and plain indexes, all named explicitly. `types` are the columns' types besides
    the bigint id and foreign keys (MARIADB_SCALAR_TYPES for MariaDB)."""
    rng = random.Random(seed)
    return Schema(tuple(_random_table(rng, i, tables, types) for i in range(1, tables + 1)))


def _random_table(rng: random.Random, i: int, total: int, types: tuple[ColumnType, ...]) -> Table:
    name = table_name(i)
    width = rng.randint(4, 12)
    references = sorted(rng.sample(range(1, i), min(i - 1, rng.choice((0, 0, 1, 1, 2)))))
    columns = [ID]
    columns += [Column(f"ref_{table_name(r)}", BIGINT, rng.random() < 0.3) for r in references]
    while len(columns) < width:
        columns.append(Column(f"c{len(columns)}", rng.choice(types), rng.random() < 0.3))
    # With every type indexable (PostgreSQL's) there are at least 3 such columns: the conditions on
    # len(plain) always hold, so the PostgreSQL schema is the one it was before MariaDB's types.
    plain = [c.name for c in columns[1:] if c.type.indexable]
    rng.shuffle(plain)
    uniques, indexes = [], []
    if rng.random() < 0.25 and len(plain) > 0:
        uniques.append(Index(f"{name}_{plain[0]}_key", (plain[0],), unique=True))
    if rng.random() < 0.15 and len(plain) > 1:
        indexes.append(Index(f"{name}_{plain[1]}_uidx", (plain[1],), unique=True))
    if rng.random() < 0.5 and len(plain) > 2:
        cols = tuple(plain[2 : 2 + rng.randint(1, 2)])
        indexes.append(Index(f"{name}_{'_'.join(cols)}_idx", cols))
    foreign_keys = [
        ForeignKey(f"{name}_{c.name}_fk", c.name, c.name.removeprefix("ref_"))
        for c in columns
        if c.name.startswith("ref_")
    ]
    return Table(name, tuple(columns), tuple(uniques), tuple(foreign_keys), tuple(indexes))


def with_new_column(schema: Schema, count: int, seed: int, column: Column) -> tuple[Schema, list[str]]:
    """The schema with `column` added to `count` tables chosen from the seed, and those tables' names."""
    chosen = set(random.Random(seed).sample(range(len(schema.tables)), count))
    tables = tuple(
        replace(t, columns=t.columns + (column,)) if i in chosen else t
        for i, t in enumerate(schema.tables)
    )
    return Schema(tables), sorted(schema.tables[i].name for i in chosen)


# --- SQL DDL ---------------------------------------------------------------------------------


def create_table_sql(table: Table) -> str:
    lines = [f"    {c.name} {c.type.ddl}{' NOT NULL' if c.not_null else ''}" for c in table.columns]
    lines.append(f"    CONSTRAINT {table.primary_key} PRIMARY KEY (id)")
    lines += [f"    CONSTRAINT {u.name} UNIQUE ({', '.join(u.columns)})" for u in table.uniques]
    lines += [
        f"    CONSTRAINT {fk.name} FOREIGN KEY ({fk.column}) REFERENCES {fk.table} (id)"
        for fk in table.foreign_keys
    ]
    statements = [f"CREATE TABLE {table.name} (\n" + ",\n".join(lines) + "\n);"]
    statements += [
        f"CREATE {'UNIQUE ' if ix.unique else ''}INDEX {ix.name} ON {table.name} ({', '.join(ix.columns)});"
        for ix in table.indexes
    ]
    return "\n".join(statements)


def schema_sql(schema: Schema) -> str:
    return "\n\n".join(create_table_sql(t) for t in schema.tables) + "\n"


# --- SQLAlchemy ------------------------------------------------------------------------------


def sqlalchemy_items(table: Table, indent: str) -> str:
    """The columns, constraints and indexes of a table, as arguments of sa.Table or op.create_table."""
    items = [
        f'sa.Column("{c.name}", {c.type.sqlalchemy}, nullable={not c.not_null}'
        + (", autoincrement=False)" if c is ID else ")")
        for c in table.columns
    ]
    items.append(f'sa.PrimaryKeyConstraint("id", name="{table.primary_key}")')
    items += [f'sa.UniqueConstraint({_quoted(u.columns)}, name="{u.name}")' for u in table.uniques]
    items += [
        f'sa.ForeignKeyConstraint(["{fk.column}"], ["{fk.table}.id"], name="{fk.name}")'
        for fk in table.foreign_keys
    ]
    items += [
        f'sa.Index("{ix.name}", {_quoted(ix.columns)}{", unique=True" if ix.unique else ""})'
        for ix in table.indexes
    ]
    return "".join(f"{indent}{item},\n" for item in items)


def models_py(schema: Schema) -> str:
    """A module whose `metadata` is the schema."""
    tables = "".join(
        f'sa.Table(\n    "{t.name}",\n    metadata,\n{sqlalchemy_items(t, "    ")})\n\n'
        for t in schema.tables
    )
    return f'"""Generated by bench/run.py."""\n\nimport sqlalchemy as sa\n\nmetadata = sa.MetaData()\n\n{tables}'


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f'"{n}"' for n in names)
