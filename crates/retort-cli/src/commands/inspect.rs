//! `retort inspect`: the live (or desired) schema as canonical DDL or JSON.

use std::process::ExitCode;

use anyhow::Result;
use retort::driver::Access;
use retort::load::{load, read_sources};

use crate::context::Context;
use crate::output::print_json;

/// The options of `retort inspect`.
pub struct Args {
    pub json: bool,
    pub schemas: Vec<String>,
    pub all_schemas: bool,
    pub desired: bool,
}

/// Prints the schema; applying the DDL to an empty database reproduces it.
pub fn run(ctx: &Context, args: Args) -> Result<ExitCode> {
    let project = if args.desired { ctx.config_only()? } else { ctx.project_or_url_only()? };
    let url = ctx.database_url(&project)?;
    let mut options = project.inspect_options(url.dialect());
    if args.all_schemas {
        options.schemas.clear();
    } else if !args.schemas.is_empty() {
        options.schemas = args.schemas;
    }
    let schema = if args.desired {
        load(&read_sources(&project.config)?, &url, &options)?
    } else {
        let (_, mut driver) = ctx.connect(&project, Access::ReadOnly)?;
        driver.inspect(&options)?
    };
    if args.json {
        print_json(&schema)?;
    } else {
        print!("{}", retort_schema::render::ddl(&schema));
    }
    Ok(ExitCode::SUCCESS)
}
