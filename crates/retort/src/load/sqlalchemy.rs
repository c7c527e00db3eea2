//! `[schema] sqlalchemy = "package.module:Base"`: the team's SQLAlchemy models as the desired
//! schema. A small program shipped inside retort (`sqlalchemy.py`) imports the models with the
//! project's Python and prints the DDL SQLAlchemy's own `create_all()` emits for the target's
//! dialect (through a mock engine, so nothing is missed and nothing connects); that DDL is then
//! loaded exactly like `schema/*.sql`.

use std::path::Path;

use serde::Deserialize;

use super::{LoadError, SourceFile};
use crate::config::Config;
use crate::dialect::Dialect;

const PROGRAM: &str = include_str!("sqlalchemy.py");

#[derive(Debug, Deserialize)]
struct Answer {
    ddl: String,
}

/// The Python `[schema] python` names (a relative path is relative to `retort.toml`), if any.
pub fn configured_python(config: &Config) -> Option<String> {
    config.file.schema.python.as_ref().map(|p| {
        if p.contains('/') && !Path::new(p).is_absolute() {
            config.root.join(p).display().to_string()
        } else {
            p.clone()
        }
    })
}

/// The DDL of the models `target` names, for `dialect`.
pub fn read(config: &Config, target: &str, dialect: Dialect) -> Result<Vec<SourceFile>, LoadError> {
    let root = if config.root.as_os_str().is_empty() { Path::new(".") } else { config.root.as_path() };
    let pythonpath: Vec<String> = config
        .file
        .schema
        .pythonpath
        .iter()
        .map(|p| std::path::absolute(root.join(p)).unwrap_or_else(|_| root.join(p)).display().to_string())
        .collect();
    let request = serde_json::json!({
        "target": target,
        "dialect": dialect.sqlalchemy_name(),
        "pythonpath": pythonpath,
    });
    let answer: Answer = crate::python::run(
        &configured_python(config).unwrap_or_else(|| "python3".into()),
        root,
        "schema sqlalchemy",
        PROGRAM,
        request,
    )
    .map_err(|e| LoadError::Python(Box::new(e)))?;
    Ok(vec![SourceFile { name: format!("[schema] sqlalchemy {target}"), text: answer.ddl }])
}
