//! Makes sure the prebuilt libduckdb.so is where `.cargo/config.toml` points `DUCKDB_LIB_DIR`
//! (fetching it with `scripts/setup-duckdb.sh` when missing) and lets what Cargo starts find it.
//! No link directive: with the default `runtime-duckdb` feature the library is dlopen()ed on the
//! first DuckDB connection (`src/duck/library.rs`); without any feature libduckdb-sys links it
//! itself. Nothing to do with the `bundled` feature, which compiles DuckDB in.
//! See docs/adr/0001-duckdb-prebuilt-library.md.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo::rerun-if-env-changed=DUCKDB_LIB_DIR");
    println!("cargo::rerun-if-changed=build.rs");
    if env::var_os("CARGO_FEATURE_BUNDLED").is_some() {
        return;
    }
    let manifest_dir =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir
        .parent()
        .and_then(Path::parent)
        .expect("runner-adapters lives in <workspace>/crates/runner-adapters")
        .to_path_buf();
    let lib_dir = env::var_os("DUCKDB_LIB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target/duckdb"));
    let library = lib_dir.join("libduckdb.so");
    println!("cargo::rerun-if-changed={}", library.display());

    if !library.exists() {
        let script = workspace.join("scripts/setup-duckdb.sh");
        let status = Command::new("bash")
            .arg(&script)
            .current_dir(&workspace)
            .status();
        let ok = matches!(status, Ok(s) if s.success());
        if !ok || !library.exists() {
            panic!(
                "libduckdb.so is not in {} and {} could not fetch it; run that script by hand, \
                 set DUCKDB_LIB_DIR to a DuckDB 1.5.6 library, or build runner-cli with --no-default-features --features bundled",
                lib_dir.display(),
                script.display()
            );
        }
    }
    // `cargo run` and `cargo test` put link-search paths inside target/<profile>/ on the
    // LD_LIBRARY_PATH of what they start, so every binary that depends on this crate finds the
    // library (dlopen() honours LD_LIBRARY_PATH) through a link in OUT_DIR; nothing is linked
    // from here. The rpath lets this crate's test binaries (unit tests included: hence the plain
    // `rustc-link-arg`, a library crate links nothing else) find it when run directly.
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let link = out_dir.join("libduckdb.so");
    let _ = std::fs::remove_file(&link);
    if let Err(e) = std::os::unix::fs::symlink(&library, &link) {
        panic!(
            "cannot link {} into {}: {e}",
            library.display(),
            out_dir.display()
        );
    }
    println!("cargo::rustc-link-search=native={}", out_dir.display());
    let rpath = format!("-Wl,-rpath,{}", lib_dir.display());
    println!("cargo::rustc-link-arg={rpath}");
}
