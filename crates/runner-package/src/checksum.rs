//! SHA-256 of files, in the lowercase hex that `sha256sum` prints, and the reading of an expected
//! digest as users and pipelines hand it over (a bare digest or a whole `.sha256` file).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::PackageError;

/// The SHA-256 of the file at `path`, lowercase hex.
pub fn sha256_file(path: &Path) -> Result<String, PackageError> {
    let file = File::open(path).map_err(PackageError::io("could not open", path))?;
    sha256_reader(file).map_err(PackageError::io("could not read", path))
}

/// The SHA-256 of everything `reader` yields, lowercase hex.
pub(crate) fn sha256_reader(mut reader: impl Read) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// The digest in `text`: its first whitespace-separated token, lowercased, so that both
/// `ABC…` and the contents of a `sha256sum` file (`abc…  name.tar.gz\n`) are accepted.
pub(crate) fn expected_digest(text: &str) -> String {
    text.split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The line `sha256sum` writes for `file_name`, so `sha256sum -c` can check our files.
pub(crate) fn sha256sum_line(digest: &str, file_name: &str) -> String {
    format!("{digest}  {file_name}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_of_empty_input_is_the_well_known_one() {
        assert_eq!(
            sha256_reader(io::empty()).unwrap(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn expected_digest_takes_the_first_token_of_a_sha256sum_line() {
        assert_eq!(expected_digest("ABCD  pkg-1.0.tar.gz\n"), "abcd");
        assert_eq!(expected_digest("  abcd"), "abcd");
        assert_eq!(expected_digest(""), "");
    }
}
