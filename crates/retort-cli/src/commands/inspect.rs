//! `retort inspect`: the live schema as canonical DDL or JSON.

use std::process::ExitCode;

use anyhow::Result;
use retort::driver::Access;

use crate::context::Context;
use crate::output::print_json;

/// Prints the database's schema; applying the DDL to an empty database reproduces it.
pub fn run(ctx: &Context, json: bool, schemas: Vec<String>, all_schemas: bool) -> Result<ExitCode> {
    let project = ctx.project_or_url_only()?;
    let (url, mut driver) = ctx.connect(&project, Access::ReadOnly)?;
    let mut options = project.inspect_options(url.dialect());
    if all_schemas {
        options.schemas.clear();
    } else if !schemas.is_empty() {
        options.schemas = schemas;
    }
    let schema = driver.inspect(&options)?;
    if json {
        print_json(&schema)?;
    } else {
        print!("{}", retort_schema::render::ddl(&schema));
    }
    Ok(ExitCode::SUCCESS)
}
