//! The documentation's commands are tests: every ```console block of README.md and
//! docs/tutorial.md runs, in order, in one shell session in a fresh copy of `examples/`, with the
//! `retort` the tests built on PATH; each command must succeed (or exit as its `? N` line says) and
//! print what the document shows under it.
//!
//! The format is trycmd's: `$ command` (continued by `> ` lines, as a shell shows a heredoc),
//! then the expected output, where `[..]` matches any text within a line and a line `...` matches
//! any number of lines. Output is stdout and stderr together, as a terminal shows them. A ```sh
//! block that runs retort is an error: it would be a command no test runs.
//!
//! The tutorial runs twice: on SQLite as written, and on PostgreSQL with its `sqlite:app.db`
//! replaced by a throwaway database's URL (required when `CI` is set).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

/// How long one documented command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// One `$ ...` command of a document and what it should print.
#[derive(Debug)]
struct Step {
    /// The document line of the `$`.
    line: usize,
    command: String,
    expected: Vec<String>,
    exit: i32,
}

/// Reads the ```console blocks of a Markdown document.
fn steps(doc: &str, name: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut fence: Option<String> = None;
    let mut in_command = false;
    for (index, line) in doc.lines().enumerate() {
        let number = index + 1;
        if let Some(info) = line.trim_start().strip_prefix("```") {
            if fence.is_some() {
                fence = None;
            } else {
                fence = Some(info.trim().to_string());
            }
            in_command = false;
            continue;
        }
        match fence.as_deref() {
            Some("console") => {}
            Some("sh" | "bash" | "shell") => {
                assert!(
                    !line.split_whitespace().any(|w| w == "retort" || w.ends_with("/retort")),
                    "{name}:{number}: a ```sh block runs retort; make it a ```console block with `$ ` prompts so the tests run it"
                );
                continue;
            }
            _ => continue,
        }
        if let Some(command) = line.strip_prefix("$ ") {
            steps.push(Step { line: number, command: command.to_string(), expected: Vec::new(), exit: 0 });
            in_command = true;
            continue;
        }
        let Some(step) = steps.last_mut() else {
            panic!("{name}:{number}: output before the first `$ ` command of a ```console block")
        };
        if in_command && let Some(more) = line.strip_prefix("> ").or(if line == ">" { Some("") } else { None }) {
            step.command.push('\n');
            step.command.push_str(more);
            continue;
        }
        in_command = false;
        if let Some(code) = line.strip_prefix("? ") {
            step.exit = match code.trim() {
                "failed" => 1,
                n => n.parse().unwrap_or_else(|_| panic!("{name}:{number}: `? {n}` is not an exit code")),
            };
            continue;
        }
        step.expected.push(line.to_string());
    }
    assert!(fence.is_none(), "{name}: a code block is not closed");
    steps
}

/// Whether `actual` matches `pattern`, where `[..]` matches any text.
fn line_matches(pattern: &str, actual: &str) -> bool {
    let mut parts = pattern.split("[..]");
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = actual.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Whether the output lines match the expected lines (`...` matches any number of lines).
fn output_matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.trim() == "..." => {
            (0..=actual.len()).any(|skip| output_matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => {
            actual.split_first().is_some_and(|(a, more)| line_matches(first, a) && output_matches(rest, more))
        }
    }
}

/// A bash session whose output is read command by command.
struct Shell {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

const MARKER: &str = "__retort_docs_exit__";

impl Shell {
    fn start(dir: &Path, path_dirs: &[PathBuf]) -> Shell {
        let mut path = std::env::join_paths(path_dirs).unwrap_or_default();
        if let Some(system) = std::env::var_os("PATH") {
            let mut joined = path.clone();
            joined.push(":");
            joined.push(system);
            path = joined;
        }
        let mut child = Command::new("bash")
            .args(["--noprofile", "--norc"])
            .current_dir(dir)
            .env("PATH", path)
            .env("NO_COLOR", "1")
            .env("TZ", "UTC")
            .env("HOME", dir)
            // A reader's git knows who they are; the sandbox's git is told.
            .env("GIT_AUTHOR_NAME", "Docs Test")
            .env("GIT_AUTHOR_EMAIL", "docs@example.com")
            .env("GIT_COMMITTER_NAME", "Docs Test")
            .env("GIT_COMMITTER_EMAIL", "docs@example.com")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("DATABASE_URL")
            .env_remove("RETORT_CONFIG")
            .env_remove("PGPASSWORD")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting bash: {e}"));
        let stdin = child.stdin.take().unwrap_or_else(|| unreachable!("stdin is piped"));
        let stdout = child.stdout.take().unwrap_or_else(|| unreachable!("stdout is piped"));
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut shell = Shell { child, stdin, lines };
        shell.send("exec 2>&1; set -o pipefail");
        shell
    }

    fn send(&mut self, text: &str) {
        writeln!(self.stdin, "{text}").unwrap_or_else(|e| panic!("writing to bash: {e}"));
        self.stdin.flush().unwrap_or_else(|e| panic!("writing to bash: {e}"));
    }

    /// Runs one command (stdin closed) and returns its output lines and exit code.
    fn run(&mut self, command: &str) -> (Vec<String>, i32) {
        self.send(&format!("{{ {command}\n}} </dev/null; echo \"{MARKER}$?\""));
        let mut output = Vec::new();
        loop {
            match self.lines.recv_timeout(COMMAND_TIMEOUT) {
                Ok(line) => match line.find(MARKER) {
                    Some(at) => {
                        if at > 0 {
                            output.push(line[..at].to_string());
                        }
                        let code = line[at + MARKER.len()..].trim().parse().unwrap_or(-1);
                        return (output, code);
                    }
                    None => output.push(line),
                },
                Err(RecvTimeoutError::Timeout) => {
                    panic!("`{command}` did not finish in {COMMAND_TIMEOUT:?}; output so far:\n{}", output.join("\n"))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("bash ended during `{command}`; output:\n{}", output.join("\n"))
                }
            }
        }
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("creating {}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("listing {}: {e}", from.display())) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // What a run leaves behind is not part of a fresh checkout.
        if name.ends_with(".db") || name.ends_with(".retort-lock") || name.contains(".db.") {
            continue;
        }
        if path.is_dir() {
            copy_dir(&path, &to.join(&*name));
        } else {
            std::fs::copy(&path, to.join(&*name)).unwrap_or_else(|e| panic!("copying {}: {e}", path.display()));
        }
    }
}

/// A sandbox laid out like a fresh clone (the examples, and `target/release/retort` being the
/// binary under test), and a `cargo` that only answers the README's `cargo build --release` and
/// `cargo run -p retort-embedded-example -- ARGS`: the tests already built retort and the
/// example, and a second build would only repeat it.
fn sandbox() -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    copy_dir(&repo_root().join("examples"), &dir.path().join("examples"));
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_retort"));
    let release = dir.path().join("target/release");
    std::fs::create_dir_all(&release).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(&binary, release.join("retort")).unwrap_or_else(|e| panic!("{e}"));
    let shims = dir.path().join(".shims");
    std::fs::create_dir_all(&shims).unwrap_or_else(|e| panic!("{e}"));
    let cargo = "#!/bin/sh\n[ \"$*\" = \"build --release\" ] && exit 0\ncase \"$*\" in \"run -p retort-embedded-example -- \"*) shift 4; exec crewai-app \"$@\";; esac\necho \"docs test: cargo $* is not run here\" >&2\nexit 99\n";
    std::fs::write(shims.join("cargo"), cargo).unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(shims.join("cargo"), std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    let bin_dir = binary.parent().map(Path::to_path_buf).unwrap_or_default();
    (dir, vec![shims, bin_dir])
}

/// Runs every command of a document in a fresh sandbox; `replace` rewrites text in commands and
/// expected output alike (the tutorial's database URL). Returns the sandbox for further checks.
fn run_document(rel: &str, replace: &[(&str, &str)]) -> tempfile::TempDir {
    let path = repo_root().join(rel);
    let mut doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    for (from, to) in replace {
        doc = doc.replace(from, to);
    }
    let steps = steps(&doc, rel);
    assert!(!steps.is_empty(), "{rel} has no ```console block");
    let (dir, path_dirs) = sandbox();
    let mut shell = Shell::start(dir.path(), &path_dirs);
    for step in &steps {
        let (output, code) = shell.run(&step.command);
        let output: Vec<String> = output.iter().map(|l| l.trim_end().to_string()).collect();
        let expected: Vec<String> = step.expected.iter().map(|l| l.trim_end().to_string()).collect();
        let expected_trimmed = trim_blank_ends(&expected);
        let output_trimmed = trim_blank_ends(&output);
        assert!(
            code == step.exit && output_matches(expected_trimmed, output_trimmed),
            "{rel}:{}: `{}` exited {code} (the document says {}) and printed:\n{}\n--- the document shows:\n{}",
            step.line,
            step.command,
            step.exit,
            output.join("\n"),
            expected.join("\n"),
        );
    }
    dir
}

fn trim_blank_ends(lines: &[String]) -> &[String] {
    let start = lines.iter().position(|l| !l.is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|l| !l.is_empty()).map_or(start, |e| e + 1);
    &lines[start..end]
}

#[test]
fn the_readme_commands_run_as_shown() {
    run_document("README.md", &[]);
}

#[test]
fn the_tutorial_runs_on_sqlite() {
    run_document("docs/tutorial.md", &[]);
}

#[test]
fn the_tutorial_runs_on_postgres() {
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(db) = common::Db::new(common::Kind::Postgres, scratch.path()) else { return };
    run_document("docs/tutorial.md", &[("sqlite:app.db", &db.url)]);
}

#[test]
fn the_matcher_matches_what_it_should() {
    let lines = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
    assert!(output_matches(&lines("a [..] c\n...\nz"), &lines("a b c\nx\ny\nz")));
    assert!(output_matches(&lines("...\nz"), &lines("z")));
    assert!(!output_matches(&lines("a\nb"), &lines("a\nc")));
    assert!(!output_matches(&lines("a"), &lines("a\nb")));
    assert!(line_matches("Upgraded to [..] (1 step, [..] ms)", "Upgraded to ab12 (1 step, 0.4 ms)"));
    assert!(!line_matches("x[..]y", "x"));
    let doc = "```console\n$ cat > f <<'EOF'\n> one\n> EOF\n$ false\n? 1\n```\n";
    let s = steps(doc, "t");
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].command, "cat > f <<'EOF'\none\nEOF");
    assert_eq!((s[1].exit, s[1].expected.len()), (1, 0));
}
