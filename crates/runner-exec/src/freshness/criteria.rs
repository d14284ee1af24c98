//! How the freshness query's timestamps become UTC instants and an age, with dbt's rules: a naive
//! timestamp is UTC and a null `max_loaded_at` is "infinitely long ago" (0001-01-01). The
//! thresholds themselves are [`runner_artifacts::freshness::Criteria`], shared with parsing.

pub use runner_artifacts::freshness::Criteria;
use runner_jinja::Value;

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
