//! [`Adapter`] (a validated target, with the DuckDB database opened once) and [`Pool`]: up to
//! `threads` connections, checked out by worker threads and returned on drop, plus
//! [`Pool::cancel_all`] for shutdown.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crate::config::{AdapterConfig, AdapterKind};
use crate::connection::{CancelHandle, Connection};
use crate::duck::DuckDbDatabase;
use crate::error::{AdapterError, Result};
use crate::postgres::PgConnection;

/// A warehouse target ready to open connections.
pub struct Adapter {
    config: AdapterConfig,
    duckdb: Option<DuckDbDatabase>,
}

impl Adapter {
    /// Validates nothing more than the config already did; opens the DuckDB database (Postgres
    /// connects lazily, in [`Adapter::connect`]).
    pub fn open(config: AdapterConfig) -> Result<Adapter> {
        let duckdb = match &config {
            AdapterConfig::DuckDb(c) => Some(DuckDbDatabase::open(c)?),
            AdapterConfig::Postgres(_) => None,
        };
        Ok(Adapter { config, duckdb })
    }

    /// The target's config.
    pub fn config(&self) -> &AdapterConfig {
        &self.config
    }

    /// Which warehouse this is.
    pub fn kind(&self) -> AdapterKind {
        self.config.kind()
    }

    /// Opens a new connection.
    pub fn connect(&self) -> Result<Box<dyn Connection>> {
        match (&self.config, &self.duckdb) {
            (_, Some(db)) => Ok(Box::new(db.connect()?)),
            (AdapterConfig::Postgres(c), None) => Ok(Box::new(PgConnection::connect(c)?)),
            (AdapterConfig::DuckDb(c), None) => Err(AdapterError::Connect {
                endpoint: format!("duckdb {}", c.path),
                message: "database not open".into(),
            }),
        }
    }

    /// A pool of up to `threads` connections to this target.
    pub fn into_pool(self) -> Pool {
        let size = self.config.threads();
        Pool::new(self, size)
    }
}

struct PoolState {
    idle: Vec<Box<dyn Connection>>,
    open: usize,
    closed: bool,
    next_id: u64,
    busy: BTreeMap<u64, CancelHandle>,
}

/// Connections shared by worker threads; `checkout` blocks while all `size` are in use.
pub struct Pool {
    adapter: Adapter,
    size: usize,
    state: Mutex<PoolState>,
    returned: Condvar,
}

impl Pool {
    /// A pool of at most `size` (at least 1) connections, opened on demand.
    pub fn new(adapter: Adapter, size: usize) -> Pool {
        Pool {
            adapter,
            size: size.max(1),
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                open: 0,
                closed: false,
                next_id: 0,
                busy: BTreeMap::new(),
            }),
            returned: Condvar::new(),
        }
    }

    /// The adapter this pool connects with.
    pub fn adapter(&self) -> &Adapter {
        &self.adapter
    }

    /// The most connections this pool opens.
    pub fn size(&self) -> usize {
        self.size
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes an idle connection, opens one while fewer than `size` exist, or waits for a return.
    pub fn checkout(&self) -> Result<PooledConnection<'_>> {
        let mut state = self.lock();
        loop {
            if state.closed {
                return Err(AdapterError::PoolClosed);
            }
            if let Some(conn) = state.idle.pop() {
                return Ok(self.lend(state, conn));
            }
            if state.open < self.size {
                state.open += 1;
                drop(state);
                return match self.adapter.connect() {
                    Ok(conn) => Ok(self.lend(self.lock(), conn)),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.returned.notify_one();
                        Err(e)
                    }
                };
            }
            state = self
                .returned
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn lend(
        &self,
        mut state: MutexGuard<'_, PoolState>,
        conn: Box<dyn Connection>,
    ) -> PooledConnection<'_> {
        let id = state.next_id;
        state.next_id += 1;
        state.busy.insert(id, conn.cancel_handle());
        PooledConnection {
            pool: self,
            conn: Some(conn),
            id,
        }
    }

    /// Cancels the statements running on every checked-out connection (SIGTERM); returns how many
    /// cancel requests were sent.
    pub fn cancel_all(&self) -> usize {
        let handles: Vec<CancelHandle> = self.lock().busy.values().cloned().collect();
        handles.iter().filter(|h| h.cancel().is_ok()).count()
    }

    /// Refuses further checkouts (waiting ones fail too) and closes idle connections.
    pub fn close(&self) {
        let idle = {
            let mut state = self.lock();
            state.closed = true;
            state.open -= state.idle.len();
            std::mem::take(&mut state.idle)
        };
        drop(idle);
        self.returned.notify_all();
    }

    fn give_back(&self, id: u64, mut conn: Box<dyn Connection>) {
        // A connection left inside a transaction (a worker failed mid-way) is rolled back first.
        let reusable = !conn.is_broken() && (!conn.in_transaction() || conn.rollback().is_ok());
        let mut state = self.lock();
        state.busy.remove(&id);
        if reusable && !state.closed {
            state.idle.push(conn);
        } else {
            state.open -= 1;
            drop(state);
            drop(conn);
        }
        self.returned.notify_one();
    }
}

/// A connection borrowed from a [`Pool`]; goes back when dropped.
pub struct PooledConnection<'a> {
    pool: &'a Pool,
    conn: Option<Box<dyn Connection>>,
    id: u64,
}

impl Deref for PooledConnection<'_> {
    type Target = dyn Connection;

    fn deref(&self) -> &Self::Target {
        self.conn.as_deref().expect("present until drop")
    }
}

impl DerefMut for PooledConnection<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.conn.as_deref_mut().expect("present until drop")
    }
}

impl Drop for PooledConnection<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.give_back(self.id, conn);
        }
    }
}
