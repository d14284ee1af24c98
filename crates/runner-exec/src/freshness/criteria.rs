//! A source's freshness thresholds (`warn_after`, `error_after`, `filter`), how a measured age
//! compares with them, and how the freshness query's timestamps become UTC instants and an age —
//! with dbt's rules: a naive timestamp is UTC, a null `max_loaded_at` is "infinitely long ago"
//! (0001-01-01), and a threshold is crossed only when the age is strictly greater.

use runner_artifacts::sources::FreshnessStatus;
use runner_jinja::Value;
use serde_json::{Value as Json, json};

/// `count` × `period` (`minute`, `hour` or `day`); either may be missing, which disables it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Threshold {
    /// How many periods.
    pub count: Option<i64>,
    /// `minute`, `hour` or `day`.
    pub period: Option<String>,
}

impl Threshold {
    fn from_json(j: &Json) -> Threshold {
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

    fn exceeded(&self, age: f64) -> bool {
        self.seconds().is_some_and(|limit| age > limit)
    }

    fn to_json(&self) -> Json {
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

/// A cell of the freshness query as a UTC instant. `Ok(None)` for null; an error for anything that is
/// not a datetime (a date or a string has no time zone to read, as dbt says).
pub fn utc_instant(
    v: &Value,
    field: &str,
    relation: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    if v.is_none() {
        return Ok(None);
    }
    // Python's `type(v).__name__`: `date`, `str`, …
    let short_type = v
        .type_name()
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_string();
    let not_a_timestamp = || {
        format!(
            "Expected a timestamp value when querying field '{field}' of table {relation} but received value of type '{short_type}' instead"
        )
    };
    if short_type != "datetime" {
        return Err(not_a_timestamp());
    }
    // The value prints as Python's `str(datetime)`: `YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]`.
    let text = v.to_python_str();
    if let Ok(aware) = chrono::DateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Ok(Some(aware.to_utc()));
    }
    chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f")
        .map(|naive| Some(naive.and_utc()))
        .map_err(|_| not_a_timestamp())
}

/// The moment dbt uses for a source that has no rows: 0001-01-01 00:00:00 UTC.
pub fn beginning_of_time() -> chrono::DateTime<chrono::Utc> {
    chrono::NaiveDate::from_ymd_opt(1, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid date")
        .and_utc()
}

/// `(later - earlier)` in seconds as Python's `timedelta.total_seconds()` gives it: the exact
/// microsecond count divided by a million, rounded once (ages of centuries exceed f64's exact
/// integers, so dividing a float would round twice).
pub fn age_seconds(
    earlier: &chrono::DateTime<chrono::Utc>,
    later: &chrono::DateTime<chrono::Utc>,
) -> f64 {
    let micros = (*later - *earlier).num_microseconds().unwrap_or(i64::MAX);
    let sign = if micros < 0 { "-" } else { "" };
    let abs = micros.unsigned_abs();
    format!("{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000)
        .parse()
        .unwrap_or(f64::NAN)
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

    #[test]
    fn naive_timestamps_are_utc_and_aware_ones_are_converted() {
        let naive = runner_compile::modules::naive_datetime_value(
            chrono::NaiveDate::from_ymd_opt(2020, 1, 3)
                .unwrap()
                .and_hms_opt(10, 45, 0)
                .unwrap(),
        );
        let at = utc_instant(&naive, "loaded_at", "t").unwrap().unwrap();
        assert_eq!(at.to_rfc3339(), "2020-01-03T10:45:00+00:00");
        let aware = runner_compile::modules::utc_datetime(at + chrono::Duration::microseconds(5));
        let back = utc_instant(&aware, "loaded_at", "t").unwrap().unwrap();
        assert_eq!((back - at).num_microseconds(), Some(5));
        assert_eq!(utc_instant(&Value::None, "f", "t"), Ok(None));
        let err = utc_instant(
            &Value::from("2020-01-01"),
            "loaded_at",
            "\"db\".\"s\".\"t\"",
        );
        assert!(err.unwrap_err().contains("received value of type 'str'"));
    }

    #[test]
    fn ages_round_once_like_python_total_seconds() {
        let snapshot = chrono::DateTime::parse_from_rfc3339("2026-11-21T19:26:40.367233Z")
            .unwrap()
            .to_utc();
        // dbt wrote 63930886000.36723 for this pair.
        assert_eq!(
            age_seconds(&beginning_of_time(), &snapshot),
            63930886000.36723
        );
        let earlier = snapshot - chrono::Duration::hours(3);
        assert_eq!(age_seconds(&earlier, &snapshot), 10800.0);
        assert_eq!(age_seconds(&snapshot, &earlier), -10800.0);
    }
}
