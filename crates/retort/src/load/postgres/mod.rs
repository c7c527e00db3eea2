//! The fast path for loading a PostgreSQL desired schema: the DDL is parsed with sqlparser and
//! built into the model directly, as the server would store it (type aliases resolved, implicit
//! names chosen by the server's own algorithm, NOT NULL implied by primary keys, serial columns
//! with their sequences). What only the server can print exactly (default, check, generated and
//! index expressions) is canonicalized by the server in one round trip, inside a transaction that
//! is rolled back (`canon.rs`).
//!
//! Anything this path does not handle exactly (functions, views, domains, a `SET`, an expression
//! naming a user object, a statement the server would reject...) makes it decline with the reason;
//! the caller then loads through a scratch database, which stays the oracle: the tests compare
//! both paths on every fixture.

mod build;
mod canon;
mod chunks;
mod expr;
mod names;
mod sequences;
mod types;

use retort_schema::Schema;

use super::{Decline, SourceFile};
use crate::driver::Driver;
use crate::inspect::InspectOptions;

/// Loads the sources into the model by parsing them, asking `server` (any PostgreSQL connection;
/// nothing is left behind on it) to print the expressions.
pub fn load(sources: &[SourceFile], options: &InspectOptions, server: &mut dyn Driver) -> Result<Schema, Decline> {
    let started = std::time::Instant::now();
    let (mut schema, pending) = parse(sources)?;
    let parsed = started.elapsed();
    canon::settle(&mut schema, pending, server)?;
    let outside = outside_schemas(&schema, options);
    if let Some(schema_name) = outside.first() {
        // The scratch database says so with the whole picture (what references what).
        return Err(Decline::new(
            None,
            format!("the files create objects in schema {schema_name}, which is not managed"),
        ));
    }
    filter(&mut schema, options);
    schema.normalize();
    // RETORT_TRACE_LOAD=1 also says where the time went.
    if std::env::var_os("RETORT_TRACE_LOAD").is_some() {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        eprintln!(
            "load: parsed {} tables in {:.1} ms; the server printed the expressions in {:.1} ms",
            schema.tables.len(),
            ms(parsed),
            ms(started.elapsed() - parsed)
        );
    }
    Ok(schema)
}

/// The parse half alone (no server): the model with every expression the server must print left
/// empty. For benchmarks of the parser; [`load`] is the real thing.
pub fn parse_only(sources: &[SourceFile]) -> Result<Schema, Decline> {
    Ok(parse(sources)?.0)
}

/// The files into the model, statement by statement.
fn parse(sources: &[SourceFile]) -> Result<(Schema, build::Pending), Decline> {
    let mut builder = build::Builder::new("public");
    sources.iter().try_for_each(|source| builder.source(source))?;
    Ok(builder.finish())
}

/// Schemas other than the managed ones (and `public`) that the files create or put objects in.
fn outside_schemas(schema: &Schema, options: &InspectOptions) -> Vec<String> {
    if options.schemas.is_empty() {
        return Vec::new();
    }
    let named = schema
        .namespaces
        .iter()
        .map(|n| Some(n.name.clone()))
        .chain(schema.enums.iter().map(|e| e.name.schema.clone()))
        .chain(schema.sequences.iter().map(|s| s.name.schema.clone()))
        .chain(schema.tables.iter().map(|t| t.name.schema.clone()));
    let mut outside: Vec<String> = named.flatten().filter(|s| s != "public" && !options.schemas.contains(s)).collect();
    outside.sort();
    outside.dedup();
    outside
}

/// Leaves out what the inspector would not read: schemas outside `options.schemas`, excluded
/// tables.
fn filter(schema: &mut Schema, options: &InspectOptions) {
    let keep = |s: &Option<String>| {
        options.schemas.is_empty() || s.as_ref().is_some_and(|s| options.schemas.iter().any(|o| o == s))
    };
    schema.namespaces.retain(|n| options.schemas.is_empty() || options.schemas.contains(&n.name));
    schema.enums.retain(|e| keep(&e.name.schema));
    schema.sequences.retain(|s| keep(&s.name.schema));
    schema.tables.retain(|t| keep(&t.name.schema));
    options.drop_excluded(schema);
}
