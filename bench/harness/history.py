"""A project's history for `verify`: revisions that look like years of a real schema's life rather
than a line of empty tables. Revision 1 creates a few tables (primary keys, a foreign key, NOT NULL
text, numeric and timestamp columns); every later one creates a table with a foreign key to an
earlier one, adds a nullable column, adds an index, renames a column or drops a column added
earlier, in turn. Every downgrade exactly undoes its upgrade, in SQL that runs unchanged on SQLite
(3.35 or later: RENAME COLUMN, DROP COLUMN) and on PostgreSQL."""

import random
from dataclasses import dataclass, field

from .projects import SqlRevision, revision_id

# Tables the history creates after the first revision, in order; numbered once they run out.
NOUNS = (
    "invoices", "payments", "comments", "tags", "attachments", "webhooks", "api_keys", "sessions",
    "audit_events", "notifications", "teams", "memberships", "invitations", "subscriptions", "plans",
    "coupons", "refunds", "shipments", "addresses", "products", "categories", "reviews", "messages",
    "threads", "reports",
)  # fmt: skip
# Nullable columns the history adds: name and type.
ADDED = (
    ("notes", "text"),
    ("external_ref", "varchar(64)"),
    ("score", "integer"),
    ("archived_at", "timestamp"),
    ("weight", "numeric(8,3)"),
    ("color", "varchar(20)"),
    ("position", "integer"),
    ("source", "text"),
)
# What a renamed column is called afterwards (else `<name>_old`).
RENAMED = {
    "name": "display_name",
    "title": "headline",
    "status": "state",
    "amount": "total",
    "notes": "remarks",
    "external_ref": "reference",
    "score": "rating",
    "color": "colour",
    "source": "origin",
    "email": "email_address",
    "budget": "budget_limit",
    "balance": "credit",
    "due_at": "deadline",
    "priority": "rank",
    "position": "sort_order",
    "archived_at": "deleted_at",
    "weight": "weight_kg",
}


@dataclass
class _Table:
    name: str
    columns: dict[str, str]  # name -> type, in order
    keys: set[str]  # primary and foreign key columns: never renamed or dropped
    added: list[str] = field(default_factory=list)  # nullable columns added later: may be dropped
    renamed: set[str] = field(default_factory=set)  # renamed once already
    indexed: set[str] = field(default_factory=set)


FIRST_UP = """\
CREATE TABLE accounts (
    id bigint NOT NULL,
    email varchar(200) NOT NULL,
    name text NOT NULL,
    balance numeric(12,2) NOT NULL,
    created_at timestamp NOT NULL,
    CONSTRAINT accounts_pk PRIMARY KEY (id),
    CONSTRAINT accounts_email_key UNIQUE (email)
);

CREATE TABLE projects (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    title text NOT NULL,
    budget numeric(12,2),
    created_at timestamp NOT NULL,
    CONSTRAINT projects_pk PRIMARY KEY (id),
    CONSTRAINT projects_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)
);

CREATE INDEX projects_account_idx ON projects (account_id);

CREATE TABLE tasks (
    id bigint NOT NULL,
    project_id bigint NOT NULL,
    title varchar(200) NOT NULL,
    status varchar(20) NOT NULL,
    priority integer NOT NULL,
    due_at timestamp,
    CONSTRAINT tasks_pk PRIMARY KEY (id),
    CONSTRAINT tasks_project_fk FOREIGN KEY (project_id) REFERENCES projects (id)
);"""
FIRST_DOWN = "DROP TABLE tasks;\nDROP TABLE projects;\nDROP TABLE accounts;"
FIRST_TABLES = (
    _Table(
        "accounts",
        {"id": "bigint", "email": "varchar(200)", "name": "text", "balance": "numeric(12,2)",
         "created_at": "timestamp"},
        {"id"},
    ),
    _Table(
        "projects",
        {"id": "bigint", "account_id": "bigint", "title": "text", "budget": "numeric(12,2)", "created_at": "timestamp"},
        {"id", "account_id"},
        indexed={"account_id"},
    ),
    _Table(
        "tasks",
        {"id": "bigint", "project_id": "bigint", "title": "varchar(200)", "status": "varchar(20)",
         "priority": "integer", "due_at": "timestamp"},
        {"id", "project_id"},
    ),
)  # fmt: skip

KINDS = ("create table", "add column", "add index", "rename column", "drop column")


def history(count: int, seed: int) -> list[SqlRevision]:
    """`count` revisions in a line (at least 1), the same for the same seed."""
    rng = random.Random(seed)
    tables = [_Table(t.name, dict(t.columns), set(t.keys), indexed=set(t.indexed)) for t in FIRST_TABLES]
    revisions = [SqlRevision(revision_id(1), None, "create accounts projects and tasks", FIRST_UP, FIRST_DOWN)]
    index_names = {"projects_account_idx"}
    for i in range(2, count + 1):
        kind = KINDS[(i - 2) % len(KINDS)]
        steps = {
            "create table": lambda: _create_table(tables, rng, i),
            "add column": lambda: _add_column(tables, rng, i),
            "add index": lambda: _add_index(tables, rng, index_names),
            "rename column": lambda: _rename_column(tables, rng),
            "drop column": lambda: _drop_column(tables, rng),
        }
        # Nothing left to index, rename or drop: a column is added instead.
        step = steps[kind]() or _add_column(tables, rng, i)
        message, up, down = step
        revisions.append(SqlRevision(revision_id(i), revision_id(i - 1), message, up, down))
    return revisions


Step = tuple[str, str, str]  # message, upgrade SQL, downgrade SQL


def _create_table(tables: list[_Table], rng: random.Random, i: int) -> Step:
    n = len(tables) - len(FIRST_TABLES)
    name = NOUNS[n] if n < len(NOUNS) else f"{NOUNS[n % len(NOUNS)]}_{n // len(NOUNS) + 1}"
    name = name if all(t.name != name for t in tables) else f"{name}_{i}"
    parent = rng.choice(tables)
    fk = f"{parent.name}_id"
    columns = {
        "id": "bigint",
        fk: "bigint",
        "name": "varchar(120)",
        "status": "varchar(20)",
        "amount": "numeric(12,2)",
        "created_at": "timestamp",
    }
    up = (
        f"CREATE TABLE {name} (\n"
        "    id bigint NOT NULL,\n"
        f"    {fk} bigint NOT NULL,\n"
        "    name varchar(120) NOT NULL,\n"
        "    status varchar(20) NOT NULL,\n"
        "    amount numeric(12,2),\n"
        "    created_at timestamp NOT NULL,\n"
        f"    CONSTRAINT {name}_pk PRIMARY KEY (id),\n"
        f"    CONSTRAINT {name}_{parent.name}_fk FOREIGN KEY ({fk}) REFERENCES {parent.name} (id)\n"
        ");"
    )
    tables.append(_Table(name, columns, {"id", fk}))
    return f"create {name}", up, f"DROP TABLE {name};"


def _add_column(tables: list[_Table], rng: random.Random, i: int) -> Step:
    table = rng.choice(tables)
    column, type_ = rng.choice(ADDED)
    if column in table.columns:
        column = f"{column}_{i}"
    table.columns[column] = type_
    table.added.append(column)
    up = f"ALTER TABLE {table.name} ADD COLUMN {column} {type_};"
    return f"add {table.name}.{column}", up, f"ALTER TABLE {table.name} DROP COLUMN {column};"


def _add_index(tables: list[_Table], rng: random.Random, names: set[str]) -> Step | None:
    candidates = [(t, c) for t in tables for c in t.columns if c not in t.indexed and c != "id"]
    if not candidates:
        return None
    table, column = rng.choice(candidates)
    name = f"{table.name}_{column}_idx"
    while name in names:
        name = f"{name}_2"
    names.add(name)
    table.indexed.add(column)
    up = f"CREATE INDEX {name} ON {table.name} ({column});"
    return f"index {table.name}.{column}", up, f"DROP INDEX {name};"


def _rename_column(tables: list[_Table], rng: random.Random) -> Step | None:
    candidates = [
        (t, c) for t in tables for c in t.columns if c not in t.keys and c not in t.renamed and c != "created_at"
    ]
    if not candidates:
        return None
    table, old = rng.choice(candidates)
    new = RENAMED.get(old, f"{old}_old")
    if new in table.columns:
        new = f"{old}_old"
    if new in table.columns:
        return None
    table.columns = {new if c == old else c: t for c, t in table.columns.items()}
    table.renamed.add(new)
    table.added = [new if c == old else c for c in table.added]
    table.indexed = {new if c == old else c for c in table.indexed}
    up = f"ALTER TABLE {table.name} RENAME COLUMN {old} TO {new};"
    down = f"ALTER TABLE {table.name} RENAME COLUMN {new} TO {old};"
    return f"rename {table.name}.{old} to {new}", up, down


def _drop_column(tables: list[_Table], rng: random.Random) -> Step | None:
    """Drops a column an earlier revision added (nullable, in no index: SQLite drops no indexed
    column); the downgrade adds it back, nullable as it was."""
    candidates = [(t, c) for t in tables for c in t.added if c not in t.indexed]
    if not candidates:
        return None
    table, column = rng.choice(candidates)
    type_ = table.columns.pop(column)
    table.added.remove(column)
    table.renamed.discard(column)
    up = f"ALTER TABLE {table.name} DROP COLUMN {column};"
    return f"drop {table.name}.{column}", up, f"ALTER TABLE {table.name} ADD COLUMN {column} {type_};"
