//! Hex digests as dbt writes them: file checksums, test-name hashes, `local_md5`, project ids.

use md5::{Digest, Md5};
use sha2::Sha256;

/// md5 of `text`, in hex.
pub fn md5_hex(text: &[u8]) -> String {
    hex::encode(Md5::digest(text))
}

/// sha256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_usual_spellings() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
