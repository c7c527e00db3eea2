//! Which PostgreSQL schemas retort reads: `inspect` without a project dumps every user schema (as
//! `pg_dump --schema-only`), and objects of the managed schemas that need a schema retort does not
//! manage are refused by name, on the live side and in the desired schema files, instead of
//! printing DDL or writing a migration that fails to apply.

mod common;

use common::{Db, Kind, Project};

const CROSS_SCHEMA: &str = "CREATE SCHEMA r;
CREATE TABLE r.users (id int PRIMARY KEY);
CREATE FUNCTION r.aggregates() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TABLE public.comment (id int PRIMARY KEY, user_id int REFERENCES r.users (id));
CREATE TRIGGER aggregates AFTER INSERT ON public.comment FOR EACH ROW EXECUTE FUNCTION r.aggregates();";

#[test]
fn inspect_without_a_project_reads_every_schema_and_applies() {
    let Some(p) = Project::new(Kind::Postgres) else { return };
    p.db.exec(CROSS_SCHEMA);
    let bare = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = |args: &[&str]| common::retort_in(bare.path(), args);
    let out = run(&["inspect", "--url", &p.db.url]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ddl = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(ddl.contains("CREATE SCHEMA r;") && ddl.contains("CREATE TABLE public.comment"), "{ddl}");
    // What it printed builds the same schema on an empty database.
    let Some(empty) = Db::new(Kind::Postgres, bare.path()) else { return };
    empty.exec(&ddl);
    let again = run(&["inspect", "--url", &empty.url]);
    assert_eq!(String::from_utf8_lossy(&again.stdout), ddl);
    // Two databases, no project: diff works too, and turns one into the other.
    let Some(third) = Db::new(Kind::Postgres, bare.path()) else { return };
    let diff = run(&["diff", "--from", &third.url, "--to", &p.db.url]);
    assert!(diff.status.success(), "{}", String::from_utf8_lossy(&diff.stderr));
    third.exec(&String::from_utf8_lossy(&diff.stdout));
    let same = run(&["diff", "--from", &third.url, "--to", &p.db.url]);
    assert!(same.stdout.is_empty() && String::from_utf8_lossy(&same.stderr).contains("No differences"), "{same:?}");
    // A schema that does not exist is named, not an empty dump.
    let missing = run(&["inspect", "--url", &p.db.url, "--schema", "nosuch"]);
    assert_eq!(missing.status.code(), Some(1));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("no schema nosuch; its schemas are: public, r"), "{err}");
}

#[test]
fn managed_objects_needing_an_unmanaged_schema_are_named() {
    let Some(p) = Project::new(Kind::Postgres) else { return };
    p.db.exec(CROSS_SCHEMA);
    p.use_schema_files("schemas = [\"public\"]");
    p.write("schema/app.sql", "CREATE TABLE public.comment (id int PRIMARY KEY, user_id int);");
    for args in [&["inspect"][..], &["check"], &["revision", "--autogenerate", "-m", "x"]] {
        let err = p.fails(args);
        assert!(
            err.contains("schema \"r\" is used by trigger aggregates on public.comment (function r.aggregates())")
                && err.contains("table constraint comment_user_id_fkey on public.comment")
                && err.contains("Add those schemas to [schema] schemas"),
            "{args:?}: {err}"
        );
    }
    assert!(!p.path().join("migrations").read_dir().is_ok_and(|mut d| d.next().is_some()), "no file written");
    // Managing both schemas makes it whole.
    p.use_schema_files("schemas = [\"public\", \"r\"]");
    p.ok(&["inspect"]);
}

#[test]
fn desired_files_creating_an_unmanaged_schema_are_refused() {
    let Some(p) = Project::new(Kind::Postgres) else { return };
    p.use_schema_files("schemas = [\"public\"]");
    p.write("schema/app.sql", CROSS_SCHEMA);
    let err = p.fails(&["revision", "--autogenerate", "-m", "x"]);
    assert!(err.contains("create objects in schema \"r\", which [schema] schemas does not list (public)"), "{err}");
    // Tables alone (the parser's path) are caught the same way.
    p.write("schema/app.sql", "CREATE SCHEMA audit;\nCREATE TABLE audit.log (id int);\nCREATE TABLE t (id int);");
    let err = p.fails(&["check"]);
    assert!(err.contains("schema \"audit\""), "{err}");
}
