//! Loading DuckDB's C library at run time (the `runtime-duckdb` feature, the default): owns the
//! dlopen() of libduckdb.so, the version check, and filling the C API function table that the
//! `duckdb` crate calls through.
//!
//! Why: linked at load time, libduckdb.so costs every run about 10 MB of resident memory before
//! any work (relocating its symbols, its static initialisers), Postgres runs included. With
//! libduckdb-sys' `loadable-extension` feature each C function is a wrapper that calls through a
//! pointer, and [`ensure_loaded`] fills those pointers on the first DuckDB connection only.
//! The pointer table is DuckDB's own extension API struct (`duckdb_ext_api_v1`); libduckdb-sys
//! copies it out of whatever `get_api` returns, so we build one from dlsym() and hand it over.
//!
//! Where the library comes from: `RUNNER_DUCKDB_LIBRARY` (a file) if set, else `libduckdb.so` as
//! the dynamic loader finds it: the binary's RUNPATH (runner-cli's build script points it at
//! target/duckdb), LD_LIBRARY_PATH, then the system directories.
//! See docs/adr/0001-duckdb-prebuilt-library.md.

// The one place in the workspace that needs unsafe code: dlopen/dlsym, reinterpreting symbol
// addresses as the bindings' function types, and libduckdb-sys' unsafe initialiser.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char, c_void};
use std::os::unix::ffi::OsStrExt;
use std::sync::OnceLock;

use libduckdb_sys::{duckdb_ext_api_v1, duckdb_extension_access, duckdb_extension_info};

use crate::error::{AdapterError, Result};

/// The DuckDB release the pinned libduckdb-sys bindings (and scripts/setup-duckdb.sh) are for.
const EXPECTED_VERSION: &str = "1.5.6";

/// Environment variable naming the library file to load instead of searching for libduckdb.so.
const LIBRARY_ENV: &str = "RUNNER_DUCKDB_LIBRARY";

/// What the loader looks for when `RUNNER_DUCKDB_LIBRARY` is not set.
const DEFAULT_NAME: &CStr = c"libduckdb.so";

/// Why loading failed, kept (cloneable) so that every later DuckDB open reports the same error
/// without trying again.
#[derive(Clone, Debug)]
struct LoadFailure {
    tried: String,
    reason: String,
}

/// The outcome of the one load attempt per process.
static LOADED: OnceLock<std::result::Result<(), LoadFailure>> = OnceLock::new();

/// Loads libduckdb.so and installs its functions, once per process (later calls, from any
/// thread, wait for and return the first outcome). Must succeed before any `duckdb` crate call.
pub(crate) fn ensure_loaded() -> Result<()> {
    LOADED
        .get_or_init(load)
        .clone()
        .map_err(|failure| AdapterError::DuckDbLibrary {
            expected: EXPECTED_VERSION.into(),
            tried: failure.tried,
            reason: failure.reason,
        })
}

fn load() -> std::result::Result<(), LoadFailure> {
    let (name, tried) = match std::env::var_os(LIBRARY_ENV).filter(|v| !v.is_empty()) {
        Some(path) => {
            let tried = format!("{LIBRARY_ENV}={}", path.to_string_lossy());
            // Environment strings cannot hold NUL bytes, so this cannot fail in practice.
            let name = CString::new(path.as_bytes()).map_err(|e| LoadFailure {
                tried: tried.clone(),
                reason: e.to_string(),
            })?;
            (name, tried)
        }
        None => (
            DEFAULT_NAME.to_owned(),
            "libduckdb.so on the library search path (the runner binary's RUNPATH, \
             LD_LIBRARY_PATH, the system directories)"
                .to_string(),
        ),
    };
    let fail = |reason: String| LoadFailure {
        tried: tried.clone(),
        reason,
    };
    let handle = open_library(&name).map_err(fail)?;
    let api = read_api(handle);
    let version = library_version(&api).map_err(fail)?;
    check_version(&version).map_err(fail)?;
    install(api).map_err(fail)
}

/// dlopen()s `name`: a path if it contains a slash, else searched for by the dynamic loader.
/// The handle is never closed: the functions stay in use until the process exits (and unloading
/// a C++ library with thread-local destructors is a known source of crashes at exit).
fn open_library(name: &CStr) -> std::result::Result<*mut c_void, String> {
    // RTLD_NOW: resolve everything here, so a broken library fails now and not in mid-run;
    // RTLD_LOCAL: its symbols stay out of the global namespace.
    // SAFETY: `name` is NUL-terminated; loading runs the library's initialisers, which is what
    // linking it at start-up did too.
    let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    if handle.is_null() {
        return Err(last_dl_error());
    }
    Ok(handle)
}

/// dlerror()'s message for the last failed dl* call on this thread.
fn last_dl_error() -> String {
    // SAFETY: dlerror returns null or a NUL-terminated string that stays valid until the next
    // dl* call on this thread; it is copied at once.
    let message = unsafe { libc::dlerror() };
    if message.is_null() {
        "unknown dynamic loader error".into()
    } else {
        // SAFETY: non-null, NUL-terminated (above).
        unsafe { CStr::from_ptr(message) }
            .to_string_lossy()
            .into_owned()
    }
}

/// Expands, in the generated `api_names` module, to `fill_api`: one [`symbol`] lookup per field
/// of `duckdb_ext_api_v1`, whose names the generator copied from the bindings.
macro_rules! fill_api {
    ($($name:ident),* $(,)?) => {
        /// Sets every field of `api` to the library's symbol of the same name; symbols the
        /// library lacks leave their field `None` (calling one then panics in libduckdb-sys).
        ///
        /// # Safety
        /// `library` is a live dlopen() handle of a DuckDB library whose C API functions have
        /// the signatures the bindings declare.
        pub(super) unsafe fn fill_api(
            api: &mut ::libduckdb_sys::duckdb_ext_api_v1,
            library: *mut ::std::ffi::c_void,
        ) {
            $(
                // SAFETY: every field is an `Option` of an `extern "C"` function pointer, and the
                // caller vouches for the signatures.
                api.$name = unsafe { super::symbol(library, concat!(stringify!($name), "\0")) };
            )*
        }
    };
}

/// Looks up `name` (NUL-terminated) in `library`, as a `T`: null becomes `None`.
///
/// # Safety
/// `library` is a live dlopen() handle; `T` is `Option` of a function pointer type that matches
/// the symbol's real signature (the pointer-sized niche layout Rust guarantees for it).
unsafe fn symbol<T: Copy>(library: *mut c_void, name: &str) -> T {
    assert!(name.ends_with('\0'), "symbol names are NUL-terminated");
    assert_eq!(size_of::<T>(), size_of::<*mut c_void>(), "{name}");
    // SAFETY: `library` is live and `name` NUL-terminated.
    let address = unsafe { libc::dlsym(library, name.as_ptr().cast()) };
    // SAFETY: same size (checked above); a null or function address is a valid `Option<fn>`
    // (the caller guarantees `T` is one).
    unsafe { std::mem::transmute_copy::<*mut c_void, T>(&address) }
}

mod api_names;

/// The library's function table, looked up symbol by symbol.
fn read_api(handle: *mut c_void) -> duckdb_ext_api_v1 {
    // SAFETY: every field is an `Option` of a function pointer, for which all-zero is `None`.
    let mut api: duckdb_ext_api_v1 = unsafe { std::mem::zeroed() };
    // SAFETY: `handle` comes from a successful dlopen() and is never closed. The signatures are
    // only trusted after `check_version`, before which nothing but `duckdb_library_version`
    // (the same `const char *(void)` in every DuckDB release) is called.
    unsafe { api_names::fill_api(&mut api, handle) };
    api
}

/// What `duckdb_library_version()` says (`v1.5.6`), or why the library is not DuckDB.
fn library_version(api: &duckdb_ext_api_v1) -> std::result::Result<String, String> {
    let Some(version) = api.duckdb_library_version else {
        return Err("the library has no duckdb_library_version function: not DuckDB".into());
    };
    // SAFETY: the function takes nothing and returns a static NUL-terminated string.
    let text = unsafe { version() };
    if text.is_null() {
        return Err("duckdb_library_version() returned nothing".into());
    }
    // SAFETY: non-null and NUL-terminated (above).
    Ok(unsafe { CStr::from_ptr(text) }
        .to_string_lossy()
        .into_owned())
}

/// Accepts the minor release the bindings were generated for: within 1.5 the C API function
/// table only grows, while another minor release may change signatures behind the same names.
fn check_version(reported: &str) -> std::result::Result<(), String> {
    let minor = EXPECTED_VERSION
        .rsplit_once('.')
        .map_or(EXPECTED_VERSION, |(minor, _)| minor);
    let same_minor = reported
        .strip_prefix('v')
        .and_then(|v| v.strip_prefix(minor))
        .is_some_and(|rest| rest.starts_with('.'));
    if same_minor {
        Ok(())
    } else {
        Err(format!(
            "it is DuckDB {reported}, but this runner is built for DuckDB {minor}.x"
        ))
    }
}

/// libduckdb-sys' extension-API hook: hands back the table passed as `info` (see [`install`]).
unsafe extern "C" fn get_api(
    info: duckdb_extension_info,
    _version: *const c_char,
) -> *const c_void {
    info.cast_const().cast()
}

/// Stores every function of `api` in libduckdb-sys' pointers, through its extension-API entry
/// point. The table is leaked: it is tiny and must outlive every DuckDB call.
fn install(api: duckdb_ext_api_v1) -> std::result::Result<(), String> {
    let api: &'static mut duckdb_ext_api_v1 = Box::leak(Box::new(api));
    // `info` is opaque to libduckdb-sys and only passed back to `get_api`, so it carries the
    // table; `set_error` and `get_database` are for real extensions and are not called.
    let info: duckdb_extension_info = std::ptr::from_mut(api).cast();
    let access = duckdb_extension_access {
        set_error: None,
        get_database: None,
        get_api: Some(get_api),
    };
    let version = format!("v{EXPECTED_VERSION}");
    // SAFETY: `access` and `info` are valid for the call, `get_api` returns a table that lives
    // forever, and its functions come from a library whose version `check_version` accepted.
    match unsafe { libduckdb_sys::duckdb_rs_extension_api_init(info, &access, &version) } {
        Ok(true) => Ok(()),
        Ok(false) => Err("the DuckDB function table could not be installed".into()),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_check_accepts_the_bindings_minor_release_only() {
        assert!(check_version("v1.5.6").is_ok());
        assert!(check_version("v1.5.0").is_ok());
        assert!(check_version("v1.5.10-dev12").is_ok());
        for other in ["v1.4.3", "v1.50.0", "v2.0.0", "1.5", "v1.5", ""] {
            let err = check_version(other).unwrap_err();
            assert!(
                err.contains(other) && err.contains("1.5.x"),
                "{other}: {err}"
            );
        }
    }

    #[test]
    fn a_missing_library_fails_with_the_loaders_reason() {
        let err = open_library(c"/nonexistent/libduckdb.so").unwrap_err();
        assert!(err.contains("/nonexistent/libduckdb.so"), "{err}");
    }

    #[test]
    fn a_library_that_is_not_duckdb_is_refused() {
        let handle = open_library(c"libc.so.6").unwrap();
        let err = library_version(&read_api(handle)).unwrap_err();
        assert!(err.contains("not DuckDB"), "{err}");
    }

    #[test]
    fn the_prebuilt_library_is_the_expected_release() {
        // Found through the rpath build.rs gives this test binary, or Cargo's LD_LIBRARY_PATH.
        let handle = open_library(DEFAULT_NAME).unwrap();
        let api = read_api(handle);
        let version = library_version(&api).unwrap();
        assert_eq!(version, format!("v{EXPECTED_VERSION}"));
        assert!(api.duckdb_open_ext.is_some() && api.duckdb_query.is_some());
    }
}
