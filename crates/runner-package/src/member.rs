//! The names inside an archive: member paths and symlink targets, checked as text before anything
//! touches the disk. Names are taken literally ('\' and ':' are ordinary characters on Linux);
//! what is refused is whatever could reach outside the extraction directory.

use std::path::{Component, Path, PathBuf};

/// The member path `raw` as a relative path of plain components (`.` and empty components
/// dropped), or why it is refused. An empty result is the archive root itself (`./`).
pub(crate) fn normalize(raw: &[u8]) -> Result<PathBuf, String> {
    let text = text(raw, "its name")?;
    if text.starts_with('/') {
        return Err("is an absolute path; package members must be relative".into());
    }
    let mut path = PathBuf::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("escapes the package root ('..' in its path)".into()),
            part => {
                plain(part)?;
                path.push(part);
            }
        }
    }
    Ok(path)
}

/// Checks that a symlink at `link` (a normalised member path) pointing to `target` stays inside
/// the package root, resolving `target` relative to the link's directory as the OS would if no
/// component were itself a symlink (extraction then checks the real resolution too).
pub(crate) fn check_link_target(link: &Path, target: &[u8]) -> Result<(), String> {
    let text = text(target, "its target")?;
    if text.is_empty() {
        return Err("is a symlink with an empty target".into());
    }
    if text.starts_with('/') {
        return Err(format!("is a symlink to the absolute path '{text}'"));
    }
    let mut depth = link.parent().map_or(0, |dir| dir.components().count());
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." if depth == 0 => {
                return Err(format!(
                    "is a symlink to '{text}', which leaves the package root"
                ));
            }
            ".." => depth -= 1,
            part => {
                plain(part)?;
                depth += 1;
            }
        }
    }
    Ok(())
}

/// `raw` as UTF-8 without NUL: dbt projects are text, and a NUL cannot be in a file name.
fn text<'a>(raw: &'a [u8], what: &str) -> Result<&'a str, String> {
    if raw.contains(&0) {
        return Err(format!("has a NUL byte in {what}"));
    }
    std::str::from_utf8(raw).map_err(|_| format!("has {what} not in UTF-8"))
}

/// Refuses a component the platform would not read as one plain name (on Windows, `C:` is a
/// drive prefix and `\` a separator; on Unix both are ordinary characters and pass).
fn plain(part: &str) -> Result<(), String> {
    let mut components = Path::new(part).components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(name)), None) if name == part => Ok(()),
        _ => Err(format!(
            "has the component '{part}', which is not a plain file name here"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_drops_dots_and_refuses_escapes() {
        assert_eq!(normalize(b"./a//b/").unwrap(), PathBuf::from("a/b"));
        assert_eq!(normalize(b"./").unwrap(), PathBuf::new());
        assert!(normalize(b"/etc/passwd").is_err());
        assert!(normalize(b"a/../b").is_err());
        assert!(normalize(b"..").is_err());
        assert!(normalize(b"a\0b").is_err());
        assert!(normalize(&[0xff, b'a']).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn backslashes_and_drive_letters_are_literal_on_unix() {
        assert_eq!(normalize(b"C:\\..\\x").unwrap(), PathBuf::from("C:\\..\\x"));
    }

    #[test]
    fn link_targets_resolve_from_the_links_directory() {
        let link = Path::new("models/shared");
        assert!(check_link_target(link, b"../macros").is_ok());
        assert!(check_link_target(link, b"./x/../y").is_ok());
        assert!(check_link_target(link, b"../../etc").is_err());
        assert!(check_link_target(Path::new("top"), b"..").is_err());
        assert!(check_link_target(link, b"/etc").is_err());
        assert!(check_link_target(link, b"").is_err());
    }
}
