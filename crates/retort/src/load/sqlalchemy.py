"""retort's SQLAlchemy models loader (shipped inside the retort binary, run with the project's Python).

REQUEST = {"target": "package.module:Base", "dialect": "postgresql" | "sqlite", "pythonpath": [...]}

Imports the target (a declarative base, or a MetaData) and prints, as JSON, the DDL SQLAlchemy's
own create_all() emits for the dialect, through a mock engine: tables in dependency order, enum
types, sequences, indexes and comments, exactly as metadata.create_all() would run them.
"""

import importlib
import json
import sys
import traceback

OUT = sys.stdout
sys.stdout = sys.stderr  # a module that prints on import must not corrupt the answer


def fail(kind, message, tb=None):
    json.dump({"error": kind, "message": message, "traceback": tb}, OUT)
    OUT.write("\n")
    sys.exit(3)


def short_traceback(limit=8):
    lines = traceback.format_exc().rstrip().splitlines()
    return "\n".join(lines[-limit:])


request = REQUEST  # noqa: F821 (set by retort)
target = request["target"]
try:
    import sqlalchemy
    from sqlalchemy import MetaData
except ImportError:
    fail("missing", f"SQLAlchemy is not installed in {sys.executable}; install it (pip install sqlalchemy) "
         "or set [schema] python to the Python that has it")
major_minor = tuple(int(p) for p in sqlalchemy.__version__.split(".")[:2] if p.isdigit())
if major_minor < (1, 4):
    fail("old", f"SQLAlchemy {sqlalchemy.__version__} is too old; [schema] sqlalchemy needs 1.4 or newer")
from sqlalchemy import create_mock_engine  # noqa: E402

sys.path[:0] = request.get("pythonpath") or []
module_name, _, attribute = target.partition(":")
if not module_name or not attribute:
    fail("target", f"[schema] sqlalchemy = {target!r}: write it as 'package.module:Base' "
         "(a declarative base) or 'package.module:metadata' (a MetaData)")
try:
    module = importlib.import_module(module_name)
except Exception as e:
    fail("import", f"[schema] sqlalchemy = {target!r}: cannot import {module_name} "
         f"({type(e).__name__}: {e}); check [schema] pythonpath and [schema] python", short_traceback())
obj = module
for part in attribute.split("."):
    if not hasattr(obj, part):
        fail("attribute", f"[schema] sqlalchemy = {target!r}: {module_name} has no attribute {attribute!r}")
    obj = getattr(obj, part)
metadata = obj if isinstance(obj, MetaData) else getattr(obj, "metadata", None)
if not isinstance(metadata, MetaData):
    fail("type", f"[schema] sqlalchemy = {target!r} is a {type(obj).__name__}, not a MetaData or a "
         "declarative base (a class with .metadata)")

statements = []


def execute(sql, *multiparams, **params):
    statements.append(str(sql.compile(dialect=engine.dialect)).strip().rstrip(";") + ";")


# paramstyle "named": a literal % (a default '10%', LIKE 'x%') is printed as it is, not doubled for
# a pyformat driver that will never see this DDL.
engine = create_mock_engine(f"{request['dialect']}://", execute, paramstyle="named")
try:
    metadata.create_all(engine, checkfirst=False)
except Exception as e:
    fail("create_all", f"[schema] sqlalchemy = {target!r}: SQLAlchemy could not render the DDL "
         f"({type(e).__name__}: {e})", short_traceback())
json.dump({"sqlalchemy": sqlalchemy.__version__, "tables": len(metadata.tables),
           "ddl": "\n\n".join(statements) + "\n"}, OUT)
OUT.write("\n")
