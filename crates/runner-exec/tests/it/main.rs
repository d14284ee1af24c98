//! runner-exec against real warehouses: the run graph's edges and the scheduler's skips, on a
//! project parsed from a fixture.

mod graph;
