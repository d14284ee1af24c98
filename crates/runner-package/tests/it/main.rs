//! Integration tests of `runner-package` on real files in temporary directories: building,
//! round trips, reproducibility, and one handcrafted archive per hostile case.

mod build;
mod build_links;
mod extract;
mod hostile;
mod support;
