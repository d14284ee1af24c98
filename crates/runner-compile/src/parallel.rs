//! Parse-time parallelism: one map over a slice, run on a few scoped threads, results in input order.
//!
//! Why not a thread pool crate: parsing needs exactly one primitive (each file's node is built
//! independently of the others; merging them stays sequential and ordered), and scoped threads
//! give it without a dependency or any `'static` bound on the shared parse state.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Fewer small items (a model file, a test) than this per thread are not worth a thread's start-up.
pub const SMALL_ITEMS_PER_THREAD: usize = 32;

/// Large items (a property file lists hundreds of models) are worth a thread each.
pub const LARGE_ITEMS_PER_THREAD: usize = 1;

/// Upper bound on threads, whatever the machine: parsing is short and memory-bound.
const MAX_THREADS: usize = 8;

/// `items.into_iter().map(f)`, computed on up to `available_parallelism()` threads, each with at
/// least `min_per_thread` items. Items are handed out one at a time (files differ a lot in size),
/// and the results come in the input's order, so whatever the caller does next (the first error,
/// the manifest) does not depend on timing.
pub fn map_in_order<T, R, F>(items: Vec<T>, min_per_thread: usize, f: F) -> InOrder<R>
where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_THREADS)
        .min(items.len() / min_per_thread.max(1))
        .max(1);
    if threads == 1 {
        let done: Vec<(usize, R)> = items.into_iter().map(f).enumerate().collect();
        return InOrder {
            workers: vec![done.into_iter().peekable()],
        };
    }
    // Each slot is taken exactly once, by whichever thread draws its index.
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|i| Mutex::new(Some(i))).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    // Results can be large (a manifest node is over a kilobyte): growing the
                    // vector by doubling moved each several times.
                    let mut done = Vec::with_capacity(slots.len() / threads + 1);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(slot) = slots.get(i) else { break };
                        let item = slot
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .take()
                            .expect("each index is drawn once");
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| match w.join() {
                Ok(done) => done.into_iter().peekable(),
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    InOrder { workers }
}

/// The results of [`map_in_order`], in input order: each worker drew rising indices, so its
/// results are already sorted and are merged as they are read. No sort moves the (possibly
/// kilobyte-sized) results around, and no second vector holds them all.
pub struct InOrder<R> {
    workers: Vec<std::iter::Peekable<std::vec::IntoIter<(usize, R)>>>,
}

impl<R> Iterator for InOrder<R> {
    type Item = R;

    fn next(&mut self) -> Option<R> {
        let (_, worker) = self
            .workers
            .iter_mut()
            .enumerate()
            .filter_map(|(w, done)| done.peek().map(|(i, _)| (*i, w)))
            .min()?;
        self.workers[worker].next().map(|(_, r)| r)
    }
}

/// Drops `value` on a thread of its own. For large parse-time scratch (the property entries of
/// 10,000 models) whose freeing was a serial step between parsing and writing the manifest.
pub fn drop_in_background<T: Send + 'static>(value: T) {
    // When no thread can start, the closure and so `value` are dropped right here.
    let _ = std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    use super::{LARGE_ITEMS_PER_THREAD, SMALL_ITEMS_PER_THREAD, map_in_order};

    #[test]
    fn keeps_input_order_across_threads() {
        let items: Vec<u64> = (0..5_000).collect();
        let out: Vec<u64> = map_in_order(items.clone(), SMALL_ITEMS_PER_THREAD, |i| {
            // Uneven work, so threads finish items out of order.
            (0..(i % 97)).fold(i, |acc, k| acc.wrapping_mul(31).wrapping_add(k))
        })
        .collect();
        let expected: Vec<u64> = items
            .iter()
            .map(|i| (0..(i % 97)).fold(*i, |acc, k| acc.wrapping_mul(31).wrapping_add(k)))
            .collect();
        assert_eq!(out, expected);
    }

    #[test]
    fn small_inputs_and_empty_inputs() {
        let doubled = |min| map_in_order(vec![1, 2, 3], min, |i| i * 2).collect::<Vec<_>>();
        assert_eq!(doubled(SMALL_ITEMS_PER_THREAD), vec![2, 4, 6]);
        assert_eq!(doubled(LARGE_ITEMS_PER_THREAD), vec![2, 4, 6]);
        assert_eq!(
            map_in_order(Vec::<u8>::new(), LARGE_ITEMS_PER_THREAD, |i| i).count(),
            0
        );
    }
}
