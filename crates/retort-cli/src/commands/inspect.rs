//! `retort inspect`: the live (or desired) schema as canonical DDL or JSON.

use std::process::ExitCode;

use anyhow::{Result, bail};
use retort::driver::Access;
use retort::load::{load, read_sources};

use crate::cli::SchemaFormat;
use crate::context::Context;
use crate::output::print_json;

/// The options of `retort inspect`.
pub struct Args {
    pub format: crate::cli::SchemaFormat,
    pub tables: Vec<String>,
    pub schemas: Vec<String>,
    pub all_schemas: bool,
    pub desired: bool,
}

/// An error naming the requested schemas the database does not have.
fn missing_schemas(driver: &mut dyn retort::driver::Driver, schemas: &[String]) -> Result<()> {
    let (missing, have) = retort::dialect::postgres::missing_schemas(driver, schemas)?;
    if !missing.is_empty() {
        bail!("the database has no schema {}; its schemas are: {}", missing.join(", "), have.join(", "));
    }
    Ok(())
}

/// Prints the schema; applying the DDL to an empty database reproduces it.
pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    let project = if args.desired { ctx.config_only()? } else { ctx.project_or_url_only()? };
    let url = ctx.database_url(&project)?;
    let mut options = project.inspect_options(url.dialect());
    // Schemas named on the command line must exist; [schema] schemas may name one that the
    // migrations have not created yet.
    let named = !args.schemas.is_empty();
    if named && url.dialect() == retort::dialect::Dialect::Sqlite {
        super::usage!("--schema names PostgreSQL schemas; a SQLite database has one schema, which inspect reads whole");
    }
    if args.all_schemas {
        options.schemas.clear();
    } else if !args.schemas.is_empty() {
        options.schemas = args.schemas;
    }
    let schema = if args.desired {
        load(&read_sources(&project.config, url.dialect())?, &url, &options)?
    } else {
        let (_, mut driver) = ctx.connect(&project, Access::ReadOnly)?;
        if url.dialect() == retort::dialect::Dialect::Postgres && named {
            missing_schemas(driver.as_mut(), &options.schemas)?;
        }
        driver.inspect(&options)?
    };
    if !args.tables.is_empty() && matches!(args.format, SchemaFormat::Text | SchemaFormat::Json) {
        super::usage!("--tables chooses what a diagram shows: use it with --format mermaid or --format dot");
    }
    let chosen = if args.tables.is_empty() {
        None
    } else {
        let names = retort::diagram::select_tables(&schema, &args.tables).map_err(super::UsageError)?;
        if names.is_empty() {
            bail!("--tables {} matches no table of the schema", args.tables.join(" "));
        }
        Some(names)
    };
    let tables = match &chosen {
        Some(names) => retort_schema::diagram::Tables::Only(names),
        None => retort_schema::diagram::Tables::All,
    };
    match args.format {
        SchemaFormat::Json => print_json(&schema)?,
        SchemaFormat::Text => print!("{}", retort_schema::render::ddl(&schema)),
        SchemaFormat::Mermaid => print!("{}", retort_schema::diagram::mermaid(&schema, tables)),
        SchemaFormat::Dot => print!("{}", retort_schema::diagram::dot(&schema, tables)),
    }
    Ok(ExitCode::SUCCESS)
}
