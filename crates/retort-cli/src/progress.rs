//! Progress for long runs: a bar on a terminal, one line per step (with its duration) otherwise.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use retort::executor::Observer;
use retort::graph::RevisionGraph;
use retort::plan::Step;

/// The CLI's observer of a run.
pub struct Progress {
    bar: Option<ProgressBar>,
    tty: bool,
}

impl Progress {
    /// A progress display fitted to stderr being a terminal or not.
    pub fn new() -> Self {
        Progress { bar: None, tty: std::io::stderr().is_terminal() }
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => println!("{text}"),
        }
    }
}

impl Observer for Progress {
    fn waiting_for_lock(&mut self, holder: &str) {
        eprintln!("waiting for the migration lock held by {holder} ...");
    }

    fn planned(&mut self, _graph: &RevisionGraph, steps: &[Step]) {
        if self.tty && steps.len() > 1 {
            let bar = ProgressBar::new(steps.len() as u64);
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}") {
                bar.set_style(style);
            }
            self.bar = Some(bar);
        }
    }

    fn step_started(&mut self, graph: &RevisionGraph, step: &Step) {
        if let Some(bar) = &self.bar {
            bar.set_message(step.describe(graph));
        }
    }

    fn step_finished(&mut self, graph: &RevisionGraph, step: &Step, elapsed: Duration) {
        self.line(&format!("{} ({})", step.describe(graph), retort::text::duration(elapsed)));
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn warning(&mut self, message: &str) {
        match &self.bar {
            Some(bar) => bar.println(format!("warning: {message}")),
            None => eprintln!("warning: {message}"),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
