//! Warehouse credentials from AWS: the properties of a Glue JDBC connection and the standard RDS /
//! Redshift secret JSON, merged into the fields a dbt profile target understands. Passwords are
//! held in [`Secret`], which never prints its value.

use serde_json::{Map, Value as Json};

/// A secret value: `Debug` and `Display` print `*****`; [`Secret::expose`] is the only way out.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that must send it (the warehouse connection).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("*****")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("*****")
    }
}

/// Connection fields found in AWS; what is missing comes from the profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// `postgres` or `redshift` when the source says (a JDBC URL's scheme, a secret's `engine`).
    pub engine: Option<String>,
    /// Host name.
    pub host: Option<String>,
    /// Port.
    pub port: Option<u16>,
    /// Database name.
    pub dbname: Option<String>,
    /// Login.
    pub user: Option<String>,
    /// Password.
    pub password: Option<Secret>,
}

impl Credentials {
    /// Fills what `self` lacks from `other` (`self` wins).
    pub fn or(self, other: Credentials) -> Credentials {
        Credentials {
            engine: self.engine.or(other.engine),
            host: self.host.or(other.host),
            port: self.port.or(other.port),
            dbname: self.dbname.or(other.dbname),
            user: self.user.or(other.user),
            password: self.password.or(other.password),
        }
    }

    /// The standard RDS / Redshift secret JSON: `username`, `password`, `host`, `port` (string or
    /// number), `dbname` (or `database`), `engine`. Every key is optional.
    pub fn from_secret_json(text: &str) -> Result<Credentials, String> {
        let json: Json = serde_json::from_str(text).map_err(|_| {
            "the secret is not a JSON object (expected username, password, host, port, dbname)"
                .to_string()
        })?;
        let Json::Object(map) = json else {
            return Err("the secret is not a JSON object".into());
        };
        let text = |key: &str| match map.get(key) {
            Some(Json::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Json::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let port = match text("port") {
            Some(p) => Some(
                p.parse::<u16>()
                    .map_err(|_| format!("the secret's port '{p}' is not a port number"))?,
            ),
            None => None,
        };
        Ok(Credentials {
            engine: text("engine").map(|e| normalize_engine(&e)),
            host: text("host"),
            port,
            dbname: text("dbname").or_else(|| text("database")),
            user: text("username").or_else(|| text("user")),
            password: text("password").map(Secret::new),
        })
    }

    /// Profile target fields to set, under dbt-postgres' canonical names.
    pub fn to_target_fields(&self) -> Map<String, Json> {
        let mut m = Map::new();
        let mut put = |k: &str, v: Option<Json>| {
            if let Some(v) = v {
                m.insert(k.to_string(), v);
            }
        };
        put("host", self.host.clone().map(Json::String));
        put("port", self.port.map(Json::from));
        put("dbname", self.dbname.clone().map(Json::String));
        put("user", self.user.clone().map(Json::String));
        put(
            "password",
            self.password
                .as_ref()
                .map(|p| Json::String(p.expose().to_string())),
        );
        m
    }

    /// Refuses credentials for another engine than the profile's adapter type.
    pub fn check_engine(&self, adapter_type: &str) -> Result<(), String> {
        match self.engine.as_deref() {
            Some(engine) if engine != adapter_type => Err(format!(
                "the credentials are for a '{engine}' database but the target's type is '{adapter_type}'"
            )),
            _ => Ok(()),
        }
    }
}

/// Engine names as RDS, Aurora and Redshift secrets spell them, reduced to dbt adapter types.
fn normalize_engine(engine: &str) -> String {
    let e = engine.to_ascii_lowercase();
    if e.contains("redshift") {
        "redshift".into()
    } else if e.contains("postgres") {
        "postgres".into()
    } else {
        e
    }
}

/// `jdbc:postgresql://host:port/db?…` or `jdbc:redshift://host:port/db` into engine, host, port and
/// database; the default port of the engine when the URL has none.
pub fn parse_jdbc_url(url: &str) -> Result<Credentials, String> {
    let bad = |why: &str| format!("JDBC_CONNECTION_URL '{url}' {why}");
    let rest = url
        .strip_prefix("jdbc:")
        .ok_or_else(|| bad("does not start with jdbc:"))?;
    let (scheme, rest) = rest.split_once("://").ok_or_else(|| bad("has no ://"))?;
    let (engine, default_port) = match scheme.to_ascii_lowercase().as_str() {
        "postgresql" | "postgres" => ("postgres", 5432),
        "redshift" => ("redshift", 5439),
        other => {
            return Err(bad(&format!(
                "is for '{other}': runner connects to postgresql and redshift"
            )));
        }
    };
    let rest = rest.split(['?', ';']).next().unwrap_or("");
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or_else(|| bad("has an unclosed [ in its host"))?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(bad("has no host"));
    }
    let port = match port {
        Some(p) => p.parse::<u16>().map_err(|_| bad("has a bad port"))?,
        None => default_port,
    };
    Ok(Credentials {
        engine: Some(engine.into()),
        host: Some(host.into()),
        port: Some(port),
        dbname: (!path.is_empty()).then(|| path.to_string()),
        user: None,
        password: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jdbc_urls() {
        let c = parse_jdbc_url("jdbc:postgresql://db.example.com:6543/analytics?ssl=true").unwrap();
        assert_eq!(c.engine.as_deref(), Some("postgres"));
        assert_eq!(c.host.as_deref(), Some("db.example.com"));
        assert_eq!(c.port, Some(6543));
        assert_eq!(c.dbname.as_deref(), Some("analytics"));
        let r =
            parse_jdbc_url("jdbc:redshift://wh.abc.eu-west-1.redshift.amazonaws.com/dev").unwrap();
        assert_eq!(
            (r.engine.as_deref(), r.port),
            (Some("redshift"), Some(5439))
        );
        let v6 = parse_jdbc_url("jdbc:postgresql://[::1]:5433/x").unwrap();
        assert_eq!((v6.host.as_deref(), v6.port), (Some("::1"), Some(5433)));
        assert!(
            parse_jdbc_url("jdbc:mysql://h:3306/x")
                .unwrap_err()
                .contains("mysql")
        );
        assert!(parse_jdbc_url("postgresql://h/x").is_err());
        assert!(parse_jdbc_url("jdbc:postgresql://h:99999/x").is_err());
    }

    #[test]
    fn secret_json_with_port_as_string_or_number() {
        let a = Credentials::from_secret_json(
            r#"{"username":"u","password":"p w","engine":"aurora-postgresql","host":"h","port":"5432","dbname":"d"}"#,
        )
        .unwrap();
        assert_eq!(a.port, Some(5432));
        assert_eq!(a.engine.as_deref(), Some("postgres"));
        assert_eq!(a.password.as_ref().map(Secret::expose), Some("p w"));
        let b = Credentials::from_secret_json(
            r#"{"username":"u","password":"x","port":5439,"engine":"redshift"}"#,
        )
        .unwrap();
        assert_eq!(b.port, Some(5439));
        assert!(b.check_engine("postgres").is_err());
        assert!(Credentials::from_secret_json("not json").is_err());
        assert!(Credentials::from_secret_json(r#"{"port":"abc"}"#).is_err());
    }

    #[test]
    fn secrets_never_print() {
        let c = Credentials {
            password: Some(Secret::new("hunter2")),
            ..Credentials::default()
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(c.to_target_fields()["password"], "hunter2");
    }
}
