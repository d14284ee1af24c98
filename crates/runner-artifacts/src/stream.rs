//! Writing large JSON objects entry by entry, so a whole section never exists as a
//! `serde_json::Value`, and (for the manifest's `nodes`) serialising entries on several threads.
//!
//! Output is byte-identical to serialising the same entries as one object: entries are written in
//! the order they are given, whichever thread serialised them.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc;

/// Entries per buffer handed from a serialising thread to the writer. Large enough that the
/// hand-over is cheap next to serialising (a manifest node is a few kilobytes), small enough that
/// buffers in flight stay a few megabytes.
const ENTRIES_PER_CHUNK: usize = 256;

/// Below this many entries one thread is faster than starting others.
const PARALLEL_FROM: usize = 2 * ENTRIES_PER_CHUNK;

/// Serialising threads, whatever the machine: beyond a few, the writer is the bottleneck.
const MAX_THREADS: usize = 4;

/// Writes `{"k":v,...}` from `entries`, in their order.
pub(crate) fn object<'a, V: serde::Serialize>(
    w: &mut dyn Write,
    entries: impl Iterator<Item = (&'a String, V)>,
) -> io::Result<()> {
    w.write_all(b"{")?;
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        serde_json::to_writer(&mut *w, k)?;
        w.write_all(b":")?;
        serde_json::to_writer(&mut *w, &v)?;
    }
    w.write_all(b"}")
}

/// [`object`] for a large map: chunks of entries are serialised into buffers on up to
/// [`MAX_THREADS`] threads while this thread writes the finished buffers in order.
pub(crate) fn object_in_parallel<V: serde::Serialize + Sync>(
    w: &mut dyn Write,
    map: &BTreeMap<String, V>,
) -> io::Result<()> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_THREADS);
    if threads == 1 || map.len() < PARALLEL_FROM {
        return object(w, map.iter());
    }
    let entries: Vec<(&String, &V)> = map.iter().collect();
    let chunks: Vec<&[(&String, &V)]> = entries.chunks(ENTRIES_PER_CHUNK).collect();
    w.write_all(b"{")?;
    std::thread::scope(|scope| {
        // Bounded, so fast serialisers wait for the writer instead of buffering the whole map.
        let (tx, rx) = mpsc::sync_channel::<(usize, io::Result<Vec<u8>>)>(2 * threads);
        for first in 0..threads {
            let tx = tx.clone();
            let chunks = &chunks;
            scope.spawn(move || {
                for i in (first..chunks.len()).step_by(threads) {
                    let buf = serialize_chunk(chunks[i], i == 0);
                    if tx.send((i, buf)).is_err() {
                        break; // the writer failed and stopped listening
                    }
                }
            });
        }
        drop(tx);
        // Chunks arrive in any order; each is written once all before it are.
        let mut waiting: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
        let mut next = 0;
        for (i, buf) in rx {
            waiting.insert(i, buf?);
            while let Some(buf) = waiting.remove(&next) {
                w.write_all(&buf)?;
                next += 1;
            }
        }
        Ok::<(), io::Error>(())
    })?;
    w.write_all(b"}")
}

/// `"k":v` for each entry, comma-separated, with a leading comma unless this is the first chunk.
fn serialize_chunk<V: serde::Serialize>(
    chunk: &[(&String, &V)],
    first: bool,
) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(chunk.len() * 4096);
    for (j, (k, v)) in chunk.iter().enumerate() {
        if j > 0 || !first {
            buf.push(b',');
        }
        serde_json::to_writer(&mut buf, k)?;
        buf.push(b':');
        serde_json::to_writer(&mut buf, v)?;
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parallel_bytes(map: &BTreeMap<String, serde_json::Value>) -> Vec<u8> {
        let mut out = Vec::new();
        object_in_parallel(&mut out, map).unwrap();
        out
    }

    #[test]
    fn matches_serde_for_every_size_around_the_chunk_edges() {
        for n in [
            0,
            1,
            ENTRIES_PER_CHUNK,
            PARALLEL_FROM - 1,
            PARALLEL_FROM,
            PARALLEL_FROM + 1,
            7 * ENTRIES_PER_CHUNK + 3,
        ] {
            let map: BTreeMap<String, serde_json::Value> = (0..n)
                .map(|i| {
                    let v = serde_json::json!({"i": i, "s": format!("line\n\"{i}\"")});
                    (format!("node.{i:06}"), v)
                })
                .collect();
            let expected = serde_json::to_vec(&map).unwrap();
            assert_eq!(
                String::from_utf8(parallel_bytes(&map)).unwrap(),
                String::from_utf8(expected).unwrap(),
                "{n} entries"
            );
        }
    }

    /// A writer that fails part-way: the error comes back and no thread is left waiting.
    struct FailAfter(usize);
    impl Write for FailAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.0 < buf.len() {
                return Err(io::Error::other("disk full"));
            }
            self.0 -= buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_write_error_stops_the_serialisers_and_is_returned() {
        let map: BTreeMap<String, serde_json::Value> = (0..10 * ENTRIES_PER_CHUNK)
            .map(|i| (format!("k{i:06}"), serde_json::json!([i, i, i])))
            .collect();
        let err = object_in_parallel(&mut FailAfter(10_000), &map).unwrap_err();
        assert_eq!(err.to_string(), "disk full");
    }
}
