//! A source's `freshness:` block (`warn_after`, `error_after`, `filter`) as the manifest and
//! sources.json write it, and how a measured age compares with it: a threshold is crossed only
//! when the age is strictly greater. Parsing merges these blocks; `source freshness` checks them.

use serde_json::{Value as Json, json};

use crate::sources::FreshnessStatus;

/// `count` × `period` (`minute`, `hour` or `day`); either may be missing, which disables it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Threshold {
    /// How many periods.
    pub count: Option<i64>,
    /// `minute`, `hour` or `day`.
    pub period: Option<String>,
}

impl Threshold {
    /// Reads `{"count": …, "period": …}`; a missing or mistyped part is `None`.
    pub fn from_json(j: &Json) -> Threshold {
        Threshold {
            count: j.get("count").and_then(Json::as_i64),
            period: j.get("period").and_then(Json::as_str).map(String::from),
        }
    }

    /// The threshold in seconds, when both parts are set.
    pub fn seconds(&self) -> Option<f64> {
        let unit = match self.period.as_deref()? {
            "minute" => 60.0,
            "hour" => 3600.0,
            "day" => 86400.0,
            _ => return None,
        };
        Some(self.count? as f64 * unit)
    }

    /// Both parts written (dbt's truth value of a threshold, whatever the period says).
    pub fn is_given(&self) -> bool {
        self.count.is_some() && self.period.is_some()
    }

    fn exceeded(&self, age: f64) -> bool {
        self.seconds().is_some_and(|limit| age > limit)
    }

    /// `{"count": …, "period": …}`.
    pub fn to_json(&self) -> Json {
        json!({"count": self.count, "period": self.period})
    }
}

/// A source's `freshness:` block. A threshold written as `null` stays `None` (and is written back as
/// `null`); a missing one is an empty [`Threshold`], as dbt's defaults are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Criteria {
    /// `warn_after`.
    pub warn_after: Option<Threshold>,
    /// `error_after`.
    pub error_after: Option<Threshold>,
    /// `filter`: a where clause for the freshness query.
    pub filter: Option<String>,
}

impl Criteria {
    /// A block that sets nothing: what a source without `freshness:` has.
    pub fn empty() -> Criteria {
        Criteria {
            warn_after: Some(Threshold::default()),
            error_after: Some(Threshold::default()),
            filter: None,
        }
    }

    /// Reads the manifest's `freshness` value; `None` when it is null or not a mapping.
    pub fn from_json(j: &Json) -> Option<Criteria> {
        let m = j.as_object()?;
        let threshold = |key: &str| match m.get(key) {
            None => Some(Threshold::default()),
            Some(Json::Null) => None,
            Some(v) => Some(Threshold::from_json(v)),
        };
        Some(Criteria {
            warn_after: threshold("warn_after"),
            error_after: threshold("error_after"),
            filter: m.get("filter").and_then(Json::as_str).map(String::from),
        })
    }

    /// True when a threshold is fully set: only such sources are checked, as in dbt.
    pub fn is_set(&self) -> bool {
        [&self.warn_after, &self.error_after]
            .into_iter()
            .flatten()
            .any(|t| t.seconds().is_some())
    }

    /// `error` past `error_after`, else `warn` past `warn_after`, else `pass`.
    pub fn status(&self, age: f64) -> FreshnessStatus {
        if self.error_after.as_ref().is_some_and(|t| t.exceeded(age)) {
            FreshnessStatus::Error
        } else if self.warn_after.as_ref().is_some_and(|t| t.exceeded(age)) {
            FreshnessStatus::Warn
        } else {
            FreshnessStatus::Pass
        }
    }

    /// `criteria` as sources.json writes it.
    pub fn to_json(&self) -> Json {
        json!({
            "warn_after": self.warn_after.as_ref().map(Threshold::to_json),
            "error_after": self.error_after.as_ref().map(Threshold::to_json),
            "filter": self.filter,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn criteria(j: Json) -> Criteria {
        Criteria::from_json(&j).unwrap()
    }

    #[test]
    fn thresholds_are_crossed_only_when_strictly_older() {
        let c = criteria(json!({
            "warn_after": {"count": 1, "period": "hour"},
            "error_after": {"count": 1, "period": "day"},
            "filter": null
        }));
        assert_eq!(c.status(3600.0), FreshnessStatus::Pass);
        assert_eq!(c.status(3600.5), FreshnessStatus::Warn);
        assert_eq!(c.status(86400.0), FreshnessStatus::Warn);
        assert_eq!(c.status(86401.0), FreshnessStatus::Error);
    }

    #[test]
    fn a_half_set_threshold_checks_nothing() {
        let c = criteria(json!({"warn_after": {"count": 5, "period": null}}));
        assert!(!c.is_set());
        assert_eq!(c.status(1e12), FreshnessStatus::Pass);
        assert!(Criteria::from_json(&Json::Null).is_none());
        let minutes = criteria(json!({"error_after": {"count": 30, "period": "minute"}}));
        assert!(minutes.is_set());
        assert_eq!(minutes.status(1801.0), FreshnessStatus::Error);
        assert_eq!(
            minutes.to_json(),
            json!({"warn_after": {"count": null, "period": null}, "error_after": {"count": 30, "period": "minute"}, "filter": null})
        );
    }
}
