//! The run's relation cache, as dbt keeps one: each schema is listed from the warehouse once, then
//! kept current from what the run itself does (relations a materialization returns are added,
//! `adapter.drop_relation` and `adapter.rename_relation` update it). Without it every
//! `get_relation` is a catalog query, and on DuckDB with thousands of relations those dominate a run.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use runner_adapters::{Connection, Result};

use crate::introspect::{self, Location};

type Schema = HashMap<String, (String, String)>;

/// Relations by (database, schema), each identifier (lowercased key) → (exact name, type).
#[derive(Default)]
pub struct RelationCache {
    schemas: Mutex<HashMap<(String, String), Schema>>,
}

fn key(conn: &dyn Connection, database: Option<&str>, schema: &str) -> (String, String) {
    (
        database.unwrap_or(conn.database()).to_lowercase(),
        schema.to_lowercase(),
    )
}

impl RelationCache {
    /// A relation's exact name and type, listing its schema on first use; `None` if absent.
    pub fn find(
        &self,
        conn: &mut dyn Connection,
        at: &Location,
        identifier: &str,
    ) -> Result<Option<(String, String)>> {
        // Temporary relations live outside any schema: ask the warehouse.
        let Some(schema) = at.schema else {
            return introspect::find_relation(conn, at, identifier);
        };
        let k = key(conn, at.database, schema);
        let mut schemas = self.schemas.lock().unwrap_or_else(PoisonError::into_inner);
        if !schemas.contains_key(&k) {
            let listed = introspect::list_relations(conn, at.database, schema)?;
            schemas.insert(
                k.clone(),
                listed
                    .into_iter()
                    .map(|(name, kind)| (name.to_lowercase(), (name, kind)))
                    .collect(),
            );
        }
        let found = schemas[&k].get(&identifier.to_lowercase()).cloned();
        // Quoted identifiers are case-sensitive on Postgres; DuckDB's never are.
        let duckdb = conn.kind() == runner_adapters::AdapterKind::DuckDb;
        Ok(found.filter(|(name, _)| duckdb || name == identifier))
    }

    /// Runs `f` on a schema's entries if that schema was listed already.
    fn update(
        &self,
        conn: &dyn Connection,
        database: Option<&str>,
        schema: &str,
        f: impl FnOnce(&mut Schema),
    ) {
        let k = key(conn, database, schema);
        if let Some(s) = self
            .schemas
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(&k)
        {
            f(s);
        }
    }

    /// Records a relation the run created (only for schemas already listed).
    pub fn added(
        &self,
        conn: &dyn Connection,
        database: Option<&str>,
        schema: &str,
        identifier: &str,
        kind: &str,
    ) {
        self.update(conn, database, schema, |s| {
            s.insert(
                identifier.to_lowercase(),
                (identifier.to_string(), kind.to_string()),
            );
        });
    }

    /// Forgets a dropped relation.
    pub fn dropped(
        &self,
        conn: &dyn Connection,
        database: Option<&str>,
        schema: &str,
        identifier: &str,
    ) {
        self.update(conn, database, schema, |s| {
            s.remove(&identifier.to_lowercase());
        });
    }

    /// Moves a renamed relation to its new name.
    pub fn renamed(
        &self,
        conn: &dyn Connection,
        database: Option<&str>,
        schema: &str,
        from: &str,
        to: &str,
    ) {
        self.update(conn, database, schema, |s| {
            let kind = s
                .remove(&from.to_lowercase())
                .map(|(_, kind)| kind)
                .unwrap_or_else(|| "table".into());
            s.insert(to.to_lowercase(), (to.to_string(), kind));
        });
    }

    /// Forgets every schema: a `drop … cascade` on Postgres or Redshift also drops the views that
    /// depend on the relation, wherever they are, and only the catalog knows which.
    pub fn forget_all(&self) {
        self.schemas
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Forgets everything about a schema (it was dropped or created anew).
    pub fn forget_schema(&self, conn: &dyn Connection, database: Option<&str>, schema: &str) {
        let k = key(conn, database, schema);
        self.schemas
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&k);
    }
}
