//! Gives the `runner` binary an rpath to the prebuilt libduckdb.so (docs/adr/0001), so that
//! `target/debug/runner` finds it when it opens a DuckDB target, also when run directly and not
//! only under `cargo run`. The library is not linked: runner-adapters dlopen()s `libduckdb.so`,
//! and the loader searches the executable's RUNPATH for it. With DuckDB compiled in
//! (`bundled`) the path is simply unused.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-env-changed=DUCKDB_LIB_DIR");
    println!("cargo::rerun-if-changed=build.rs");
    let manifest_dir =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let lib_dir = env::var_os("DUCKDB_LIB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("../../target/duckdb"));
    println!(
        "cargo::rustc-link-arg-bins=-Wl,-rpath,{}",
        lib_dir.display()
    );
}
