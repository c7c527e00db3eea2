//! An application that carries its migrations in its binary and brings its database up to date
//! when it starts: `crewai-app [DATABASE_URL]` (default `sqlite:app.db`).

use std::process::ExitCode;

/// The crewai example's migrations, read and checked when this program was compiled.
static MIGRATIONS: retort::Embedded = retort::embed_migrations!("../crewai/migrations");

fn main() -> ExitCode {
    let url = std::env::args().nth(1).unwrap_or_else(|| "sqlite:app.db".to_string());
    match MIGRATIONS.upgrade(&url, "head") {
        Ok(report) => {
            println!("migrations: {report}");
            // ... the application starts here, on a database at head.
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("migrations failed: {e}");
            ExitCode::FAILURE
        }
    }
}
