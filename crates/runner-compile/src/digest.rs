//! Hex digests as dbt writes them (file checksums, test-name hashes, `local_md5`, project ids).

use md5::{Digest, Md5};
use sha2::Sha256;

/// Lower-case hex of `bytes`. Written by hand: one `format!` per byte was a visible part of
/// parsing 20,000 nodes (a checksum or a name hash each).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// md5 of `text`, in hex.
pub fn md5_hex(text: &[u8]) -> String {
    hex(&Md5::digest(text))
}

/// sha256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_usual_spellings() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
