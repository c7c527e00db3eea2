//! The `retort` command: a thin layer of argument parsing and output over the `retort` library.

mod cli;
mod commands;
mod context;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    quiet_broken_pipe();
    let cli = cli::Cli::parse();
    // anstream strips the colours again where they do not belong (a pipe, NO_COLOR) in auto mode.
    anstream::ColorChoice::write_global(match cli.color {
        cli::ColorWhen::Auto => anstream::ColorChoice::Auto,
        cli::ColorWhen::Always => anstream::ColorChoice::Always,
        cli::ColorWhen::Never => anstream::ColorChoice::Never,
    });
    let json = cli.json;
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
            if json {
                // The database's own HINT, when the error carries one.
                let hint = e
                    .chain()
                    .find_map(|c| c.downcast_ref::<retort::driver::DbError>().and_then(|d| d.hint.clone()))
                    .map(|h| retort::url::mask_password(&h));
                let usage = commands::is_usage_error(&e);
                eprintln!("{}", serde_json::json!({"error": message, "hint": hint, "usage": usage}));
            } else {
                let red = output::ERROR;
                anstream::eprintln!("{red}error:{red:#} {message}");
            }
            if commands::is_usage_error(&e) { ExitCode::from(2) } else { ExitCode::FAILURE }
        }
    }
}

/// `retort history | head` closes stdout early; Rust's `println!` then panics. End quietly
/// instead, as command-line tools do.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
