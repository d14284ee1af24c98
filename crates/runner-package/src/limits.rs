//! The caps an extraction enforces while it streams, so a hostile archive (a gzip bomb, millions of
//! tiny entries) is stopped as soon as it crosses one, not after it has filled the disk.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// Caps on what [`extract`](crate::extract) accepts. The defaults are far above any real dbt
/// project (jaffle-shop with its packages is a few MiB) and far below what would hurt an ECS task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The uncompressed size of the whole tar stream, member headers included: a bound on the
    /// files written and on the memory the tar reader may spend on long names and pax headers.
    /// Default 1 GiB.
    pub max_total_bytes: u64,
    /// The size of any one file. Default 256 MiB.
    pub max_file_bytes: u64,
    /// The number of members (files, directories, symlinks). Default 100 000.
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_bytes: 1 << 30,
            max_file_bytes: 256 << 20,
            max_entries: 100_000,
        }
    }
}

/// A reader that fails once more than `max` bytes have come through it. It sits between the gzip
/// decoder and the tar reader, so it counts bytes actually decompressed whatever the headers
/// claim, and the tar reader's own buffering of names and pax records is capped too.
pub(crate) struct Capped<R> {
    inner: R,
    seen: u64,
    max: u64,
    tripped: Rc<Cell<bool>>,
}

impl<R> Capped<R> {
    /// Wraps `inner`; the returned flag turns true when the cap is hit, so an I/O error surfacing
    /// from deep inside the tar reader can be told apart from a corrupt archive.
    pub(crate) fn new(inner: R, max: u64) -> (Self, Rc<Cell<bool>>) {
        let tripped = Rc::new(Cell::new(false));
        let capped = Capped {
            inner,
            seen: 0,
            max,
            tripped: Rc::clone(&tripped),
        };
        (capped, tripped)
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.tripped.get() {
            return Err(io::Error::other("package size limit exceeded"));
        }
        let n = self.inner.read(buf)?;
        self.seen += n as u64;
        if self.seen > self.max {
            self.tripped.set(true);
            return Err(io::Error::other("package size limit exceeded"));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_reader_fails_past_the_cap_and_stays_failed() {
        let (mut reader, tripped) = Capped::new(io::repeat(0).take(100), 10);
        let mut buf = [0u8; 8];
        assert_eq!(reader.read(&mut buf).unwrap(), 8);
        assert!(reader.read(&mut buf).is_err());
        assert!(tripped.get());
        assert!(reader.read(&mut buf).is_err());
    }

    #[test]
    fn capped_reader_passes_exactly_the_cap() {
        let (mut reader, tripped) = Capped::new(io::repeat(0).take(10), 10);
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), 10);
        assert!(!tripped.get());
    }
}
