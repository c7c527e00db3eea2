//! The `retort` command: a thin layer of argument parsing and output over the `retort` library.

mod cli;
mod commands;
mod context;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Library errors already quote their causes; add only the context they lack.
            let mut message = e.to_string();
            for cause in e.chain().skip(1) {
                let cause = cause.to_string();
                if !message.contains(&cause) {
                    message.push_str(": ");
                    message.push_str(&cause);
                }
            }
            let message = retort::url::mask_password(&message);
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
