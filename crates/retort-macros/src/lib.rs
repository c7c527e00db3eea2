//! `embed_migrations!`: a migrations folder read at compile time, checked as `retort upgrade`
//! checks it (headers, graph, `retort.sum`), and compiled into the binary. Use it through
//! `retort::embed_migrations!`, which names `retort::Embedded` in its expansion.
//!
//! The folder is relative to the crate's `Cargo.toml`. The crate needs a build script watching
//! it (`retort_files::build::watch`), without which a migration added later would not be embedded
//! until something else forced a rebuild; the macro refuses to compile without one and says how
//! to add it.

#![warn(missing_docs)]

use std::path::{Path, PathBuf};

use proc_macro::{TokenStream, TokenTree};

/// Embeds the migrations of a folder: `static MIGRATIONS: retort::Embedded =
/// retort::embed_migrations!("migrations");`. A broken folder fails the build with retort's own
/// message (file and line).
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let code = expand(input).unwrap_or_else(|message| format!("::core::compile_error!({message:?})"));
    code.parse().unwrap_or_default()
}

/// The folder argument: one plain string literal.
fn folder_argument(input: TokenStream) -> Result<String, String> {
    let usage =
        "embed_migrations! takes the migrations folder, relative to Cargo.toml: embed_migrations!(\"migrations\")";
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let [TokenTree::Literal(literal)] = tokens.as_slice() else { return Err(usage.to_string()) };
    let text = literal.to_string();
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .or_else(|| text.strip_prefix("r\"").and_then(|t| t.strip_suffix('"')))
        .ok_or_else(|| usage.to_string())?;
    if inner.contains('\\') && !text.starts_with('r') {
        return Err(format!("{usage} (write the path without escapes, or as a raw string r\"...\")"));
    }
    Ok(inner.to_string())
}

fn expand(input: TokenStream) -> Result<String, String> {
    let folder = folder_argument(input)?;
    let manifest = std::env::var("CARGO_MANIFEST_DIR")
        .map_err(|_| "embed_migrations!: CARGO_MANIFEST_DIR is not set (build with cargo)".to_string())?;
    let dir: PathBuf = Path::new(&manifest).join(&folder);
    if !dir.is_dir() {
        return Err(format!(
            "embed_migrations!(\"{folder}\"): {} is not a folder (the path is relative to {manifest}/Cargo.toml)",
            dir.display()
        ));
    }
    let graph = retort_files::folder::read(&dir).map_err(|e| format!("embed_migrations!(\"{folder}\"): {e}"))?;
    let watched = retort_files::build::env_name(Path::new(&folder));
    if std::env::var_os(&watched).is_none() {
        return Err(format!(
            "embed_migrations!(\"{folder}\") needs a build script watching the folder, or a migration added later is not embedded until something else rebuilds the crate. Add build.rs next to Cargo.toml:\n\n    fn main() {{\n        retort_files::build::watch(\"{folder}\");\n    }}\n\nand to Cargo.toml:\n\n    [build-dependencies]\n    retort-files = \"{}\"",
            env!("CARGO_PKG_VERSION")
        ));
    }
    let mut files: Vec<(String, PathBuf)> = graph
        .topological()
        .iter()
        .map(|&rev| {
            let path = &graph.script(rev).path;
            (path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), path.clone())
        })
        .collect();
    files.sort();
    let entries: Vec<String> = files
        .iter()
        .map(|(name, path)| format!("({name:?}, ::core::include_str!({:?}))", path.display().to_string()))
        .collect();
    let sum_path = retort_files::sum::path(&dir);
    let sum = if sum_path.is_file() {
        format!("::core::option::Option::Some(::core::include_str!({:?}))", sum_path.display().to_string())
    } else {
        "::core::option::Option::None".to_string()
    };
    Ok(format!("::retort::Embedded::__new({folder:?}, &[{}], {sum})", entries.join(", ")))
}
