//! Putting checked members on disk under the extraction root without ever writing through a
//! symlink: every parent directory is created here or must already be a real directory, files are
//! created with `create_new` (which fails on any existing path, dangling symlinks included), and
//! modes are set explicitly so neither the archive nor the umask decides them.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Why placing a member failed, before the caller adds the archive and entry names.
#[derive(Debug)]
pub(crate) enum Fault {
    /// The member is refused for this reason.
    Refused(String),
    /// Writing this path failed.
    Write(PathBuf, io::Error),
    /// Reading the member's data from the archive failed (corrupt, or the stream cap was hit).
    Read(io::Error),
    /// The member's data went past `max_file_bytes`.
    FileTooBig,
}

/// Makes every component of `rel` under `root` a directory, creating the missing ones (0755).
/// An existing component must be a real directory: a symlink there, made by an earlier member,
/// is exactly how `a -> /etc` followed by `a/passwd` would write outside the root.
pub(crate) fn dirs(root: &Path, rel: &Path) -> Result<(), Fault> {
    let mut path = root.to_path_buf();
    for part in rel {
        path.push(part);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => {}
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Fault::Refused(format!(
                    "would be written through '{}', a symlink made by an earlier entry",
                    shown(root, &path)
                )));
            }
            Ok(_) => {
                return Err(Fault::Refused(format!(
                    "needs '{}' to be a directory, but an earlier entry made it a file",
                    shown(root, &path)
                )));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir(&path).map_err(|e| Fault::Write(path.clone(), e))?;
                set_mode(&path, 0o755).map_err(|e| Fault::Write(path.clone(), e))?;
            }
            Err(e) => return Err(Fault::Write(path, e)),
        }
    }
    Ok(())
}

/// Writes the regular file `rel` from `data` (0755 when `executable`, else 0644), counting the
/// bytes actually read rather than trusting the header. Returns the number of bytes written.
pub(crate) fn file(
    root: &Path,
    rel: &Path,
    executable: bool,
    data: &mut impl Read,
    max_file_bytes: u64,
) -> Result<u64, Fault> {
    if let Some(parent) = rel.parent() {
        dirs(root, parent)?;
    }
    let path = root.join(rel);
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| exists_or_write(root, &path, e))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        let n = match data.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Fault::Read(e)),
        };
        written += n as u64;
        if written > max_file_bytes {
            return Err(Fault::FileTooBig);
        }
        out.write_all(&buf[..n])
            .map_err(|e| Fault::Write(path.clone(), e))?;
    }
    set_file_mode(&out, if executable { 0o755 } else { 0o644 })
        .map_err(|e| Fault::Write(path.clone(), e))?;
    Ok(written)
}

/// Creates the symlink `rel -> target`; the caller has checked `target` as text, and checks where
/// every link really resolves once all members are on disk.
pub(crate) fn symlink(root: &Path, rel: &Path, target: &str) -> Result<(), Fault> {
    if let Some(parent) = rel.parent() {
        dirs(root, parent)?;
    }
    let path = root.join(rel);
    make_symlink(target, &path).map_err(|e| exists_or_write(root, &path, e))
}

/// A clash with an earlier member is a refusal (tar would silently overwrite, possibly through a
/// symlink); any other failure is a write error.
fn exists_or_write(root: &Path, path: &Path, e: io::Error) -> Fault {
    if e.kind() != io::ErrorKind::AlreadyExists {
        return Fault::Write(path.to_path_buf(), e);
    }
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    Fault::Refused(if is_link {
        format!(
            "would replace '{}', a symlink made by an earlier entry",
            shown(root, path)
        )
    } else {
        "appears twice in the archive (an earlier entry has the same path)".into()
    })
}

/// `path` relative to the extraction root, for messages.
fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(unix)]
fn make_symlink(target: &str, path: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, path)
}

#[cfg(not(unix))]
fn make_symlink(_target: &str, _path: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "symlinks in packages can only be extracted on Unix",
    ))
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Sets the mode through the open handle, so it applies to the file just created whatever
/// happens to the path meanwhile.
#[cfg(unix)]
fn set_file_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_file_mode(_file: &File, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_counts_the_bytes_it_reads_not_what_it_was_told() {
        let root = tempfile::tempdir().unwrap();
        let mut data = io::repeat(b'x').take(2000);
        let fault = file(root.path(), Path::new("big"), false, &mut data, 1000).unwrap_err();
        assert!(matches!(fault, Fault::FileTooBig), "{fault:?}");
        let mut data = io::repeat(b'x').take(1000);
        assert_eq!(
            file(root.path(), Path::new("ok"), false, &mut data, 1000).unwrap(),
            1000
        );
    }

    #[cfg(unix)]
    #[test]
    fn dirs_refuses_a_symlinked_component() {
        let root = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(root.path(), root.path().join("loop")).unwrap();
        let fault = dirs(root.path(), Path::new("loop/sub")).unwrap_err();
        assert!(
            matches!(&fault, Fault::Refused(p) if p.contains("'loop', a symlink")),
            "{fault:?}"
        );
        assert!(!root.path().join("sub").exists());
    }
}
