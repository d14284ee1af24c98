//! `api.Relation`: a database object name with dbt's quoting and include policies, as templates see it.

use std::sync::Arc;

use runner_jinja::{Error, Kwargs, Object, State, Value};

/// Which parts of a relation name are quoted or included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Database part.
    pub database: bool,
    /// Schema part.
    pub schema: bool,
    /// Identifier part.
    pub identifier: bool,
}

impl Policy {
    /// All parts on.
    pub const ALL: Policy = Policy {
        database: true,
        schema: true,
        identifier: true,
    };
}

/// A relation (`"db"."schema"."table"`) with dbt's Relation methods.
#[derive(Debug, Clone)]
pub struct Relation {
    /// Database, if any.
    pub database: Option<String>,
    /// Schema, if any.
    pub schema: Option<String>,
    /// Identifier (table/view name), if any.
    pub identifier: Option<String>,
    /// `table`, `view`, `cte`, `materialized_view`, or none.
    pub kind: Option<String>,
    /// Quote policy.
    pub quote: Policy,
    /// Include policy.
    pub include: Policy,
    /// Quote character.
    pub quote_char: char,
    /// Set for ephemeral models: renders as the bare CTE name.
    pub cte_name: Option<String>,
    /// `--empty`: `ref()`/`source()` print as a subquery with this many rows (dbt only uses 0).
    pub limit: Option<i64>,
    /// Whether that subquery needs an alias (Postgres and Redshift do; DuckDB's dbt adapter
    /// leaves it out).
    pub limit_alias: bool,
}

impl Relation {
    /// A table or view relation with the default (all quoted) policy.
    pub fn new(
        database: Option<String>,
        schema: Option<String>,
        identifier: Option<String>,
    ) -> Relation {
        Relation {
            database,
            schema,
            identifier,
            kind: None,
            quote: Policy::ALL,
            include: Policy::ALL,
            quote_char: '"',
            cte_name: None,
            limit: None,
            limit_alias: true,
        }
    }

    /// How `{{ relation }}` prints: the name, or under `--empty` dbt's zero-row subquery
    /// (`(select * from "db"."s"."t" where false limit 0) _dbt_limit_subq_t`).
    pub fn printed(&self) -> String {
        let rendered = self.render();
        let Some(limit) = self.limit else {
            return rendered;
        };
        // dbt names the alias after the relation's table, which for an ephemeral model is the
        // CTE's name (`_dbt_limit_subq___dbt__cte__x`).
        let table = self.cte_name.as_ref().or(self.identifier.as_ref());
        let alias = match (table, self.limit_alias) {
            (Some(table), true) => format!(" _dbt_limit_subq_{table}"),
            _ => String::new(),
        };
        if limit == 0 {
            format!("(select * from {rendered} where false limit 0){alias}")
        } else {
            format!("(select * from {rendered} limit {limit}){alias}")
        }
    }

    /// A relation that renders as an ephemeral model's CTE name.
    pub fn cte(name: &str) -> Relation {
        let mut r = Relation::new(None, None, Some(name.to_string()));
        r.kind = Some("cte".into());
        r.cte_name = Some(format!("__dbt__cte__{name}"));
        r
    }

    fn quoted(&self, part: &str, quote: bool) -> String {
        if quote {
            format!("{q}{part}{q}", q = self.quote_char)
        } else {
            part.to_string()
        }
    }

    /// The rendered name, as `{{ relation }}` prints it.
    pub fn render(&self) -> String {
        if let Some(cte) = &self.cte_name {
            return cte.clone();
        }
        let mut parts = Vec::new();
        if self.include.database
            && let Some(d) = self.database.as_deref().filter(|d| !d.is_empty())
        {
            parts.push(self.quoted(d, self.quote.database));
        }
        if self.include.schema
            && let Some(s) = self.schema.as_deref().filter(|s| !s.is_empty())
        {
            parts.push(self.quoted(s, self.quote.schema));
        }
        if self.include.identifier
            && let Some(i) = self.identifier.as_deref()
        {
            parts.push(self.quoted(i, self.quote.identifier));
        }
        parts.join(".")
    }

    /// As a template value.
    pub fn into_value(self) -> Value {
        Value::from_object(Arc::new(self))
    }

    fn with_policy(&self, kwargs: &Kwargs, include: bool) -> Relation {
        let mut r = self.clone();
        let p = if include {
            &mut r.include
        } else {
            &mut r.quote
        };
        for (k, v) in kwargs {
            if v.is_none() {
                continue;
            }
            let on = v.is_true();
            match k.as_str() {
                "database" => p.database = on,
                "schema" => p.schema = on,
                "identifier" => p.identifier = on,
                _ => {}
            }
        }
        r
    }
}

fn opt_str(v: &Option<String>) -> Value {
    match v {
        Some(s) => Value::from(s.as_str()),
        None => Value::None,
    }
}

impl Object for Relation {
    fn type_name(&self) -> &str {
        "Relation"
    }

    fn get_attr(&self, name: &str) -> Option<Value> {
        Some(match name {
            "database" => opt_str(&self.database),
            "schema" => opt_str(&self.schema),
            "identifier" | "name" | "table" => opt_str(&self.identifier),
            "type" => opt_str(&self.kind),
            "is_table" => Value::Bool(self.kind.as_deref() == Some("table")),
            "is_view" => Value::Bool(self.kind.as_deref() == Some("view")),
            "is_cte" => Value::Bool(self.kind.as_deref() == Some("cte")),
            "is_materialized_view" => {
                Value::Bool(self.kind.as_deref() == Some("materialized_view"))
            }
            "quote_character" => Value::from(self.quote_char.to_string()),
            "limit" => self.limit.map(Value::Int).unwrap_or(Value::None),
            // dbt's relations are mappings whose metadata names their class; packages test for
            // it (`obj.get('metadata', {}).get('type', '').endswith('Relation')`).
            "metadata" => Value::dict_from([("type", Value::from("BaseRelation"))]),
            _ => return None,
        })
    }

    fn call_method(
        &self,
        _state: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        match name {
            "render" => Ok(Value::from(self.render())),
            "include" => Ok(self.with_policy(kwargs, true).into_value()),
            "quote" => Ok(self.with_policy(kwargs, false).into_value()),
            "without_identifier" => {
                let mut r = self.clone();
                r.include.identifier = false;
                Ok(r.into_value())
            }
            "incorporate" => {
                let mut r = self.clone();
                if let Some(t) = kwargs.get("type").and_then(|v| v.as_str()) {
                    r.kind = Some(t.to_string());
                }
                if let Some(Value::Dict(path)) = kwargs.get("path") {
                    let path = path.read();
                    for (k, v) in path.iter() {
                        let v = v.as_str().map(String::from);
                        match k.as_str() {
                            Some("database") => r.database = v,
                            Some("schema") => r.schema = v,
                            Some("identifier") => r.identifier = v,
                            _ => {}
                        }
                    }
                }
                Ok(r.into_value())
            }
            "replace_path" => {
                let mut r = self.clone();
                for (k, v) in kwargs {
                    let v = v.as_str().map(String::from);
                    match k.as_str() {
                        "database" => r.database = v,
                        "schema" => r.schema = v,
                        "identifier" => r.identifier = v,
                        _ => {}
                    }
                }
                Ok(r.into_value())
            }
            "get" => {
                let key = args.first().and_then(|v| v.as_str()).unwrap_or("");
                Ok(self
                    .get_attr(key)
                    .unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::None)))
            }
            _ => Err(Error::new(
                runner_jinja::ErrorKind::Undefined,
                format!("'Relation' object has no attribute '{name}'"),
            )),
        }
    }

    fn is_mapping(&self) -> bool {
        true
    }
    fn to_str(&self) -> String {
        self.printed()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_policies() {
        let r = Relation::new(Some("db".into()), Some("s".into()), Some("t".into()));
        assert_eq!(r.render(), "\"db\".\"s\".\"t\"");
        let mut r2 = r.clone();
        r2.include.database = false;
        r2.quote.identifier = false;
        assert_eq!(r2.render(), "\"s\".t");
        assert_eq!(Relation::cte("x").render(), "__dbt__cte__x");
    }

    #[test]
    fn empty_prints_a_zero_row_subquery_as_dbt() {
        let mut r = Relation::new(Some("db".into()), Some("s".into()), Some("t".into()));
        r.limit = Some(0);
        assert_eq!(
            r.printed(),
            "(select * from \"db\".\"s\".\"t\" where false limit 0) _dbt_limit_subq_t"
        );
        assert_eq!(r.render(), "\"db\".\"s\".\"t\"");
        r.limit_alias = false;
        assert_eq!(
            r.printed(),
            "(select * from \"db\".\"s\".\"t\" where false limit 0)"
        );
        let mut cte = Relation::cte("eph");
        cte.limit = Some(0);
        assert_eq!(
            cte.printed(),
            "(select * from __dbt__cte__eph where false limit 0) _dbt_limit_subq___dbt__cte__eph"
        );
        cte.limit_alias = false;
        assert_eq!(
            cte.printed(),
            "(select * from __dbt__cte__eph where false limit 0)"
        );
    }
}
