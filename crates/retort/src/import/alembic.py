"""retort's Alembic importer (shipped inside the retort binary, run with the project's Python).

retort passes the request as the global REQUEST and reads one JSON document from stdout:

    {"ini": "bend/alembic.ini" | null, "versions": "path/versions" | null,
     "dialect": "postgresql" | "sqlite", "scratch": {...} | null}

For every revision of the Alembic project it reports the ids, parents, labels, dependencies,
message and create date, and the SQL of its upgrade and downgrade as Alembic renders it for the
dialect. Rendering runs the revision modules under Alembic's own MigrationContext and Operations
in offline (--sql) mode. The project's env.py is run once, offline, only to learn the options it
gives context.configure() (target_metadata, whose naming_convention names constraints; the
version table); when it cannot run (it often imports the whole application), the defaults apply.
Revisions that cannot render offline (they read rows through op.get_bind(), reflect, ask
context.is_offline_mode()) are run online on the scratch database instead, every revision in graph
order, and the statements they actually executed are recorded.
"""

import contextlib
import io
import json
import os
import re
import sys
import traceback

OUT = sys.stdout
sys.stdout = sys.stderr  # revisions that print must not corrupt the JSON answer
# Revision code that looks for the real database must not find it while it runs on the scratch one.
os.environ.pop("DATABASE_URL", None)


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
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


CREATE_DATE = re.compile(r"^\s*Create Date:\s*(.+?)\s*$", re.MULTILINE)


def describe(script):
    doc = script.module.__doc__ or ""
    lines = [line.strip() for line in doc.strip().splitlines() if line.strip()]
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


def env_options(config, script_dir):
    """The options the project's env.py passes to context.configure() in offline mode, learned
    by running it with configure() recorded and run_migrations() doing nothing. Returns the
    options and None, or {} and why env.py could not be used."""
    recorded = {}
    env = EnvironmentContext(config, script_dir, as_sql=True)
    env.configure = lambda **kw: recorded.update(kw)
    env.run_migrations = lambda **kw: None
    env.begin_transaction = lambda: contextlib.nullcontext()
    try:
        with env:
            script_dir.run_env()
    except BaseException as e:  # env.py may sys.exit(), or fail importing the application
        return {}, f"{type(e).__name__}: {e}".strip()
    return recorded, None


class Renderer:
    """Runs revision functions through one EnvironmentContext, offline or on a connection."""

    def __init__(self, config, script_dir, dialect, options, connection=None):
        self.buffer = io.StringIO()
        self.env = EnvironmentContext(config, script_dir)
        self.env.__enter__()  # installs alembic.context for revisions that consult it
        self.asked_offline = False
        kept = {k: options[k] for k in ("target_metadata", "version_table", "version_table_schema") if k in options}
        if connection is None:
            # transactional_ddl makes autocommit_block() print its COMMIT/BEGIN, which tells retort the
            # file runs outside a transaction; paramstyle "named" keeps a literal % as it is.
            self.env.configure(dialect_name=dialect, as_sql=True, output_buffer=self.buffer,
                               transactional_ddl=True, literal_binds=True,
                               dialect_opts={"paramstyle": "named"}, **kept)
            real = self.env.is_offline_mode

            def is_offline_mode():
                self.asked_offline = True
                return real()

            self.env.is_offline_mode = is_offline_mode
        else:
            self.env.configure(connection=connection, transactional_ddl=True, transaction_per_migration=True, **kept)
        self.context = self.env.get_context()

    def run(self, fn):
        self.buffer.seek(0)
        self.buffer.truncate()
        self.asked_offline = False
        with Operations.context(self.context):
            fn()
        return self.buffer.getvalue()

    def run_in_transaction(self, fn):
        """Runs one revision function in its own transaction, as transaction_per_migration does
        (so that autocommit_block() can end and restart it)."""
        with Operations.context(self.context):
            with self.context.begin_transaction(_per_migration=True):
                fn()

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


# Quoted strings and identifiers, comments, and the placeholders of SQLite's paramstyles.
SQLITE_TOKENS = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|\?|:\w+""", re.DOTALL)


def sqlite_inline(statement, parameters):
    """The statement with SQLite's `?` or `:name` placeholders replaced by literals, never inside
    a quoted string or a comment; None when the parameters do not fit."""
    positional = iter(parameters) if isinstance(parameters, (list, tuple)) else None
    missing = []

    def replace(match):
        token = match.group(0)
        if token == "?" and positional is not None:
            try:
                return sqlite_literal(next(positional))
            except StopIteration:
                missing.append(token)
                return token
        if token.startswith(":") and isinstance(parameters, dict):
            if token[1:] in parameters:
                return sqlite_literal(parameters[token[1:]])
            missing.append(token)
        return token

    text = SQLITE_TOKENS.sub(replace, statement)
    return None if missing else text


def render_executed(cursor, statement, parameters, dialect):
    """The statement as it ran, with its parameters inlined by the driver where it can."""
    mogrify = getattr(cursor, "mogrify", None)
    if mogrify is not None:
        # Exactly as executed: with the parameters SQLAlchemy passed (an empty dict too), psycopg2
        # also undoes the %% that its paramstyle made of a literal %.
        text = mogrify(statement, parameters)
        return text.decode() if isinstance(text, bytes) else text
    if not parameters:
        return statement
    if dialect == "sqlite":
        return sqlite_inline(statement, parameters)
    return None


READS = ("select", "pragma", "show", "explain", "describe", "with", "values")
TRANSACTION_CONTROL = ("begin", "commit", "rollback", "savepoint", "release")


class Capture:
    """Records the statements a connection completed while `active`: every statement Alembic's
    operations ran (op.*), and what the revision ran itself through op.get_bind() unless it was
    a query returning rows (a read, or SQLAlchemy reflecting)."""

    def __init__(self, engine, dialect):
        self.dialect = dialect
        self.active = None
        self.unrendered = []
        self.in_op = 0
        event.listen(engine, "after_cursor_execute", self.after)

    def start(self, statements):
        self.active = statements
        self.unrendered = []

    def watch_operations(self, impl):
        real = impl._exec

        def _exec(*args, **kwargs):
            self.in_op += 1
            try:
                return real(*args, **kwargs)
            finally:
                self.in_op -= 1

        impl._exec = _exec

    def after(self, conn, cursor, statement, parameters, context, executemany):
        if self.active is None:
            return
        head = statement.lstrip().lower()
        if head.startswith(TRANSACTION_CONTROL):
            return
        if not self.in_op and head.startswith(READS) and cursor.description is not None:
            return
        for params in (parameters if executemany else [parameters]):
            text = render_executed(cursor, statement, params, self.dialect)
            if text is None:
                self.unrendered.append(statement.strip())
                continue
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
        query = {k: scratch[k] for k in ("sslmode", "sslrootcert") if scratch.get(k)}
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


def raised_by_revision(error, path):
    """True when the revision's own code raised NotImplementedError (a downgrade refused on purpose)."""
    if not isinstance(error, NotImplementedError):
        return False
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and os.path.abspath(frames[-1].filename) == os.path.abspath(path)


def main():
    request = REQUEST  # noqa: F821 (set by retort)
    dialect = request["dialect"]
    config, script_dir = load(request)
    try:
        scripts = list(script_dir.walk_revisions("base", "heads"))
    except Exception as e:
        fail("graph", str(e), traceback=short_traceback())
    scripts.reverse()
    order = graph_order(scripts)
    # No revision may reach the real database through the ini while it runs here.
    config.set_main_option("sqlalchemy.url", f"{dialect}://")
    options, env_problem = env_options(config, script_dir)

    revisions = []
    offline = Renderer(config, script_dir, dialect, options)
    for s in order:
        entry = describe(s)
        for direction in ("upgrade", "downgrade"):
            fn = getattr(s.module, direction, None)
            if fn is None:
                entry[direction] = {"mode": "missing", "error": f"{s.path} defines no {direction}()"}
                continue
            try:
                sql = offline.run(fn)
                if offline.asked_offline:
                    # It does something else online: what runs online is what counts.
                    entry[direction] = {"mode": "failed", "error": "it asks context.is_offline_mode()"}
                else:
                    entry[direction] = {"mode": "offline", "sql": sql}
            except Exception as e:
                mode = "irreversible" if direction == "downgrade" and raised_by_revision(e, s.path) else "failed"
                entry[direction] = {"mode": mode, "error": f"{type(e).__name__}: {e}", "traceback": short_traceback()}
        revisions.append(entry)
    offline.close()

    need_online = any(r[d]["mode"] == "failed" for r in revisions for d in ("upgrade", "downgrade"))
    if need_online and request.get("scratch"):
        capture_online(request, config, script_dir, options, order, revisions)

    json.dump({
        "alembic": alembic.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "version_table": options.get("version_table"),
        "version_table_schema": options.get("version_table_schema"),
        "env_problem": env_problem,
        "revisions": revisions,
    }, OUT)
    OUT.write("\n")


def capture_online(request, config, script_dir, options, order, revisions):
    """Runs every revision in graph order on the empty scratch database; for each that failed
    offline, records what its upgrade (and downgrade, then the upgrade again) executed."""
    engine = scratch_engine(request)
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    capture = Capture(engine, request["dialect"])
    with engine.connect() as conn:
        online = Renderer(config, script_dir, request["dialect"], options, connection=conn)
        capture.watch_operations(online.context.impl)

        def stop(entry, section, what, error):
            section["online_error"] = f"{what}: {type(error).__name__}: {error}"
            section["traceback"] = short_traceback()
            entry["blocked"] = True

        for s, entry in zip(order, revisions):
            up, down = entry["upgrade"], entry["downgrade"]
            if up["mode"] == "missing":
                continue
            statements = []
            capture.start(statements if up["mode"] == "failed" else None)
            try:
                online.run_in_transaction(s.module.upgrade)
            except Exception as e:
                capture.active = None
                stop(entry, up, "its upgrade failed on the scratch database", e)
                break
            capture.active = None
            if up["mode"] == "failed":
                up.update(mode="online", sql=joined(statements), unrendered=capture.unrendered)
            if down["mode"] != "failed":
                continue
            statements = []
            capture.start(statements)
            try:
                online.run_in_transaction(s.module.downgrade)
                down.update(mode="online", sql=joined(statements), unrendered=capture.unrendered)
            except Exception as e:
                down.update(mode="irreversible", error=f"{type(e).__name__}: {e}")
                capture.active = None
                continue
            capture.active = None
            try:
                online.run_in_transaction(s.module.upgrade)
            except Exception as e:
                stop(entry, down, "its upgrade failed again after its downgrade on the scratch database "
                     "(the downgrade does not undo it)", e)
                break
        online.close()
    engine.dispose()


def joined(statements):
    return "\n\n".join(statements) + "\n" if statements else ""


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:
        fail("internal", f"{type(e).__name__}: {e}", traceback=short_traceback(12))
