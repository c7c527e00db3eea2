//! Running the small Python programs shipped inside retort (the Alembic importer, the SQLAlchemy
//! models loader) with the project's own Python, so that its packages import.
//!
//! The protocol: the program's text and a JSON request go to Python's stdin on one line (nothing is
//! written to disk, and a password in the request never appears on a command line); the program
//! finds the request in the global `REQUEST` and prints one JSON object on stdout, either its
//! answer or `{"error": kind, "message": ..., "traceback": ...}`.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use serde::de::DeserializeOwned;

/// Why a shipped Python program did not answer.
#[derive(Debug, thiserror::Error)]
pub enum PythonError {
    /// The interpreter could not be started.
    #[error(
        "cannot run Python '{python}': {message}; set [schema] python in retort.toml (or pass --python) to the Python that has the project's packages, e.g. .venv/bin/python"
    )]
    Start {
        /// The Python interpreter, as configured.
        python: String,
        /// Why it could not be started or sent the request.
        message: String,
    },
    /// It exited without an answer (crashed, or printed something else).
    #[error("Python '{python}' exited with {status} and no answer:\n{stderr}")]
    NoAnswer {
        /// The Python interpreter, as configured.
        python: String,
        /// How it exited.
        status: String,
        /// The last ten lines it printed on stderr.
        stderr: String,
    },
    /// The program reported an error (a module that does not import, Alembic missing, ...).
    #[error("{message}{}", traceback.as_deref().map(|t| format!("\n{t}")).unwrap_or_default())]
    Reported {
        /// The error kind the program reported (`missing`, `ini`, ...).
        kind: String,
        /// The program's message (the kind, when it sent none).
        message: String,
        /// The Python traceback, when the program sent one.
        traceback: Option<String>,
    },
}

/// The error form every program can answer with.
#[derive(Debug, serde::Deserialize)]
struct Reported {
    error: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    traceback: Option<String>,
}

/// How Python starts the program: read the request line, compile the program, run it as
/// `__main__` with `REQUEST` set.
const BOOTSTRAP: &str = "import sys, json\n\
request = json.loads(sys.stdin.readline())\n\
program = request.pop('program'); name = request.pop('program_name')\n\
sys.argv = [name]\n\
exec(compile(program, name, 'exec'), {'__name__': '__main__', 'REQUEST': request})\n";

/// Runs `program` (named `name` in tracebacks) with `python` in `workdir`, sending `request`.
pub fn run<T: DeserializeOwned>(
    python: &str,
    workdir: &Path,
    name: &str,
    program: &str,
    mut request: serde_json::Value,
) -> Result<T, PythonError> {
    let start_err = |message: String| PythonError::Start { python: python.to_string(), message };
    request["program"] = program.into();
    request["program_name"] = format!("<retort {name}>").into();
    let workdir = if workdir.as_os_str().is_empty() { Path::new(".") } else { workdir };
    let mut child = Command::new(python)
        .arg("-c")
        .arg(BOOTSTRAP)
        .current_dir(workdir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| start_err(e.to_string()))?;
    if let Some(mut stdin) = child.stdin.take() {
        let line = format!("{request}\n");
        stdin.write_all(line.as_bytes()).map_err(|e| start_err(format!("cannot send the request: {e}")))?;
    }
    let output = child.wait_with_output().map_err(|e| start_err(e.to_string()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let answer = stdout.lines().rev().find(|l| l.starts_with('{'));
    let no_answer = || {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        PythonError::NoAnswer {
            python: python.to_string(),
            status: output.status.to_string(),
            stderr: lines[lines.len().saturating_sub(10)..].join("\n"),
        }
    };
    let Some(answer) = answer else { return Err(no_answer()) };
    if let Ok(reported) = serde_json::from_str::<Reported>(answer) {
        return Err(PythonError::Reported {
            message: reported.message.unwrap_or_else(|| reported.error.clone()),
            kind: reported.error,
            traceback: reported.traceback,
        });
    }
    serde_json::from_str(answer).map_err(|_| no_answer())
}
