"""retort's Alembic importer (shipped inside the retort binary, run with the project's Python).

retort passes the request as the global REQUEST and reads one JSON document from stdout:

    {"ini": "bend/alembic.ini" | null, "versions": "path/versions" | null,
     "dialect": "postgresql" | "sqlite" | "mysql", "scratch": {...} | null}

For every revision of the Alembic project it reports the ids, parents, labels, dependencies,
message and create date, and the SQL of its upgrade and downgrade as Alembic renders it for the
dialect. Rendering runs the revision modules under Alembic's own MigrationContext and Operations
in offline (--sql) mode, without the project's env.py (which often imports the whole
application). Revisions that cannot render offline (they read rows through op.get_bind(),
reflect, use a session) are run online on the scratch database instead, every revision in
graph order, and the statements actually executed are recorded (before_cursor_execute).
"""

import io
import json
import os
import re
import sys
import traceback

OUT = sys.stdout
sys.stdout = sys.stderr  # revisions that print must not corrupt the JSON answer


def fail(kind, message, **extra):
    json.dump({"error": kind, "message": message, **extra}, OUT)
    OUT.write("\n")
    sys.exit(3)


def short_traceback(limit=6):
    lines = traceback.format_exc().rstrip().splitlines()
    return "\n".join(lines[-limit:])


try:
    import sqlalchemy
    from sqlalchemy import create_engine, event
    import alembic
    from alembic.config import Config
    from alembic.operations import Operations
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory
except ImportError as e:
    fail("missing", f"{e} (install them into this Python: pip install alembic sqlalchemy)")


def as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return [value]


CREATE_DATE = re.compile(r"^\s*Create Date:\s*(.+?)\s*$", re.MULTILINE)


def describe(script):
    doc = script.module.__doc__ or ""
    lines = [l.strip() for l in doc.strip().splitlines() if l.strip()]
    created = CREATE_DATE.search(doc)
    return {
        "revision": script.revision,
        "parents": as_list(script.down_revision),
        # Alembic copies a label onto the revisions after it on the branch; the file's own are these.
        "branch_labels": list(getattr(script, "_orig_branch_labels", script.branch_labels)),
        "depends_on": list(getattr(script, "_resolved_dependencies", None) or as_list(script.dependencies)),
        "message": lines[0] if lines else "",
        "created": created.group(1) if created else None,
        "path": script.path,
    }


def graph_order(scripts):
    """Parents (and dependencies) before children; ties in file order."""
    by_id = {s.revision: s for s in scripts}
    done, order = set(), []

    def visit(rev, stack=()):
        if rev in done or rev not in by_id:
            return
        if rev in stack:
            fail("cycle", f"revision {rev} is its own ancestor")
        s = by_id[rev]
        for parent in as_list(s.down_revision) + list(getattr(s, "_resolved_dependencies", ()) or ()):
            visit(parent, stack + (rev,))
        done.add(rev)
        order.append(s)

    for s in scripts:
        visit(s.revision)
    return order


class Renderer:
    """Runs revision functions through one EnvironmentContext, offline or on a connection."""

    def __init__(self, config, script_dir, dialect, connection=None):
        self.buffer = io.StringIO()
        self.env = EnvironmentContext(config, script_dir)
        self.env.__enter__()  # installs alembic.context for revisions that consult it
        if connection is None:
            self.env.configure(dialect_name=dialect, as_sql=True, output_buffer=self.buffer,
                               transactional_ddl=False, literal_binds=True)
        else:
            self.env.configure(connection=connection, transactional_ddl=False)
        self.context = self.env.get_context()

    def run(self, fn):
        self.buffer.seek(0)
        self.buffer.truncate()
        with Operations.context(self.context):
            fn()
        return self.buffer.getvalue()

    def close(self):
        self.env.__exit__(None, None, None)


def sqlite_literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "X'" + bytes(value).hex() + "'"
    return "'" + str(value).replace("'", "''") + "'"


def render_executed(cursor, statement, parameters, dialect):
    """The statement as it ran, with its parameters inlined by the driver where it can."""
    if not parameters:
        return statement
    mogrify = getattr(cursor, "mogrify", None)
    if mogrify is not None:
        text = mogrify(statement, parameters)
        return text.decode() if isinstance(text, bytes) else text
    if dialect == "sqlite":
        if isinstance(parameters, dict):
            return re.sub(r":(\w+)", lambda m: sqlite_literal(parameters[m.group(1)]), statement)
        values = iter(parameters)
        return re.sub(r"\?", lambda m: sqlite_literal(next(values)), statement)
    return None


READS = ("select", "pragma", "show", "explain", "describe", "with", "values", "set ", "begin", "commit", "rollback", "savepoint", "release")


class Capture:
    """Records the writing statements a connection executes while `active`."""

    def __init__(self, engine, dialect):
        self.dialect = dialect
        self.active = None
        self.unrendered = 0
        event.listen(engine, "before_cursor_execute", self.before)

    def start(self, statements):
        self.active = statements
        self.unrendered = 0

    def before(self, conn, cursor, statement, parameters, context, executemany):
        if self.active is None:
            return
        head = statement.lstrip().lower()
        if head.startswith(READS):
            return
        sets = parameters if executemany else [parameters]
        for params in sets:
            text = render_executed(cursor, statement, params, self.dialect)
            if text is None:
                self.unrendered += 1
                text = f"-- not rendered (parameters {params!r}):\n-- {statement}"
            self.active.append(text.strip().rstrip(";") + ";")


def scratch_engine(request):
    scratch = request["scratch"]
    if scratch["dialect"] == "sqlite":
        return create_engine(sqlalchemy.engine.URL.create("sqlite", database=scratch["path"]))
    if scratch["dialect"] == "postgresql":
        try:
            import psycopg2  # noqa: F401
            driver = "postgresql+psycopg2"
        except ImportError:
            driver = "postgresql+psycopg"
        query = {"sslmode": scratch["sslmode"]} if scratch.get("sslmode") else {}
        url = sqlalchemy.engine.URL.create(driver, username=scratch.get("user"), password=scratch.get("password"),
                                           host=scratch.get("host"), port=scratch.get("port"),
                                           database=scratch["database"], query=query)
        return create_engine(url)
    fail("dialect", f"no online capture for {scratch['dialect']}")


def load(request):
    ini, versions = request.get("ini"), request.get("versions")
    if ini:
        config = Config(ini)
        if versions:
            config.set_main_option("version_locations", versions)
        try:
            return config, ScriptDirectory.from_config(config)
        except Exception as e:
            fail("ini", f"{ini}: {e}", traceback=short_traceback())
    config = Config()
    parent = os.path.dirname(os.path.abspath(versions))
    config.set_main_option("script_location", parent)
    config.set_main_option("version_locations", versions)
    return config, ScriptDirectory(parent, version_locations=[versions])


def main():
    request = REQUEST
    dialect = request["dialect"]
    config, script_dir = load(request)
    try:
        scripts = list(script_dir.walk_revisions("base", "heads"))
    except Exception as e:
        fail("graph", str(e), traceback=short_traceback())
    scripts.reverse()
    order = graph_order(scripts)

    revisions = []
    offline = Renderer(config, script_dir, dialect)
    for s in order:
        entry = describe(s)
        for direction in ("upgrade", "downgrade"):
            fn = getattr(s.module, direction, None)
            if fn is None:
                entry[direction] = {"mode": "missing", "error": f"{s.path} defines no {direction}()"}
                continue
            try:
                entry[direction] = {"mode": "offline", "sql": offline.run(fn)}
            except Exception as e:
                entry[direction] = {"mode": "failed", "error": f"{type(e).__name__}: {e}", "traceback": short_traceback()}
        revisions.append(entry)
    offline.close()

    need_online = any(r[d]["mode"] == "failed" for r in revisions for d in ("upgrade", "downgrade"))
    if need_online and request.get("scratch"):
        capture_online(request, config, script_dir, order, revisions)

    json.dump({"alembic": alembic.__version__, "sqlalchemy": sqlalchemy.__version__, "revisions": revisions}, OUT)
    OUT.write("\n")


def capture_online(request, config, script_dir, order, revisions):
    """Runs every revision in graph order on the empty scratch database; for each that failed
    offline, records what its upgrade (and downgrade, then the upgrade again) executed."""
    engine = scratch_engine(request)
    capture = Capture(engine, request["dialect"])
    with engine.connect() as conn:
        online = Renderer(config, script_dir, request["dialect"], connection=conn)
        for s, entry in zip(order, revisions):
            up, down = entry["upgrade"], entry["downgrade"]
            if up["mode"] == "missing":
                continue
            record = up["mode"] == "failed" or down["mode"] == "failed"
            statements = []
            capture.start(statements if up["mode"] == "failed" else None)
            try:
                in_transaction(conn, online, s.module.upgrade)
            except Exception as e:
                up["online_error"] = f"{type(e).__name__}: {e}"
                up["traceback"] = short_traceback()
                capture.active = None
                entry["blocked"] = True
                break
            capture.active = None
            if up["mode"] == "failed":
                up.update(mode="online", sql=joined(statements), unrendered=capture.unrendered)
            if record and down["mode"] == "failed":
                statements = []
                capture.start(statements)
                try:
                    in_transaction(conn, online, s.module.downgrade)
                    down.update(mode="online", sql=joined(statements), unrendered=capture.unrendered)
                except Exception as e:
                    down.update(mode="irreversible", error=f"{type(e).__name__}: {e}")
                    capture.active = None
                    continue
                capture.active = None
                in_transaction(conn, online, s.module.upgrade)
        online.close()
    engine.dispose()


def in_transaction(conn, renderer, fn):
    """Runs one revision function in its own transaction (committed), as Alembic's
    transaction_per_migration does."""
    if conn.in_transaction():
        conn.commit()
    with conn.begin():
        renderer.run(fn)


def joined(statements):
    return "\n\n".join(statements) + "\n" if statements else ""


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:
        fail("internal", f"{type(e).__name__}: {e}", traceback=short_traceback(12))
