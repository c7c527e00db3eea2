//! The same start-up in a tokio application: retort's API is blocking, so it runs on the
//! runtime's blocking pool (`spawn_blocking`), never on an async worker thread, where a blocking
//! database client must not run.

use std::process::ExitCode;

static MIGRATIONS: retort::Embedded = retort::embed_migrations!("../crewai/migrations");

#[tokio::main]
async fn main() -> ExitCode {
    let url = std::env::args().nth(1).unwrap_or_else(|| "sqlite:app.db".to_string());
    let migrated = tokio::task::spawn_blocking(move || MIGRATIONS.upgrade(&url, "head")).await;
    match migrated {
        Ok(Ok(report)) => {
            println!("migrations: {report}");
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("migrations failed: {e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("the migration task did not finish: {e}");
            ExitCode::FAILURE
        }
    }
}
