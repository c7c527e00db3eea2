//! For a crate's `build.rs`: keeps `embed_migrations!` fresh. Cargo rebuilds a crate when a file
//! it includes changes, but not when a file is added to a folder it reads, so a new migration
//! would not be embedded until something else forced a rebuild (sqlx #681, refinery #309).
//! [`watch`] tells Cargo to rerun the build script when anything in the folder changes and hands
//! the crate a fingerprint of the folder; `embed_migrations!` refuses to compile without it.
//!
//! In `build.rs` (with `retort-files` under `[build-dependencies]`), its `main` calls:
//!
//! ```no_run
//! retort_files::build::watch("migrations");
//! ```

use std::path::Path;

/// Prints the `cargo:` lines that make Cargo rebuild the crate whenever a file in `dir`
/// (relative to the crate's `Cargo.toml`, as `embed_migrations!` takes it) is added, edited or
/// removed.
pub fn watch(dir: impl AsRef<Path>) {
    let dir = dir.as_ref();
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rustc-env={}={}", env_name(dir), fingerprint(dir));
}

/// The environment variable [`watch`] sets for `dir`: `RETORT_EMBED_` and the folder's path with
/// everything but letters and digits as `_` (`migrations` → `RETORT_EMBED_MIGRATIONS`).
pub fn env_name(dir: &Path) -> String {
    let text = dir.to_string_lossy();
    let text = text.trim_start_matches("./").trim_end_matches('/');
    let mut name = String::from("RETORT_EMBED_");
    name.extend(text.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }));
    name
}

/// What the folder holds: each file's name, size and modification time, hashed (a new value
/// whenever one changes, which makes Cargo recompile the crate).
pub fn fingerprint(dir: &Path) -> String {
    use sha2::{Digest, Sha256};
    let mut entries: Vec<String> = std::fs::read_dir(dir)
        .map(|read| {
            read.flatten()
                .map(|e| {
                    let meta = e.metadata().ok();
                    let modified = meta
                        .as_ref()
                        .and_then(|m| m.modified().ok())
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map_or(0, |d| d.as_nanos());
                    format!("{} {} {modified}", e.file_name().to_string_lossy(), meta.map_or(0, |m| m.len()))
                })
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    let digest = Sha256::digest(entries.join("\n").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_follows_the_path_and_the_fingerprint_the_files() {
        assert_eq!(env_name(Path::new("migrations")), "RETORT_EMBED_MIGRATIONS");
        assert_eq!(env_name(Path::new("./db/migrations/")), "RETORT_EMBED_DB_MIGRATIONS");
        let dir = std::env::temp_dir().join(format!("retort-fingerprint-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let empty = fingerprint(&dir);
        let _ = std::fs::write(dir.join("0001_a.sql"), "x");
        let one = fingerprint(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        assert_ne!(empty, one);
        assert_eq!(fingerprint(&dir), fingerprint(&dir.join("missing")), "a missing folder is stable");
    }
}
