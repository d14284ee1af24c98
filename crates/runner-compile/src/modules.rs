//! `modules`: the slice of Python's standard library dbt exposes (`datetime`, `re`, `itertools`, `pytz`).
//! Each module is an object whose functions behave like their Python namesakes for the uses packages make.

use std::sync::Arc;

use runner_jinja::{Error, ErrorKind, Kwargs, Object, State, Value};

fn err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Runtime, msg.into())
}

/// The `modules` object.
pub fn modules_value() -> Value {
    let mut m = indexmap::IndexMap::new();
    m.insert(
        Value::from("datetime"),
        Value::from_object(Arc::new(DatetimeModule)),
    );
    m.insert(Value::from("re"), Value::from_object(Arc::new(ReModule)));
    m.insert(
        Value::from("itertools"),
        Value::from_object(Arc::new(ItertoolsModule)),
    );
    m.insert(
        Value::from("pytz"),
        Value::from_object(Arc::new(PytzModule)),
    );
    Value::dict(m)
}

#[derive(Debug)]
struct DatetimeModule;

impl Object for DatetimeModule {
    fn type_name(&self) -> &str {
        "module"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        match name {
            "datetime" | "date" => Some(Value::from_object(Arc::new(DatetimeClass))),
            _ => None,
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[derive(Debug)]
struct DatetimeClass;

impl Object for DatetimeClass {
    fn type_name(&self) -> &str {
        "type"
    }
    fn call_method(
        &self,
        _s: &State,
        name: &str,
        _a: &[Value],
        _k: &Kwargs,
    ) -> Result<Value, Error> {
        let now = chrono::Utc::now();
        match name {
            "now" | "utcnow" | "today" => {
                Ok(Value::from_object(Arc::new(DateTime(now.naive_utc()))))
            }
            _ => Err(err(format!(
                "datetime.{name} is not supported by runner yet"
            ))),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A naive datetime value with the common Python methods.
#[derive(Debug)]
struct DateTime(chrono::NaiveDateTime);

impl Object for DateTime {
    fn type_name(&self) -> &str {
        "datetime"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        use chrono::{Datelike, Timelike};
        Some(Value::Int(match name {
            "year" => self.0.year() as i64,
            "month" => self.0.month() as i64,
            "day" => self.0.day() as i64,
            "hour" => self.0.hour() as i64,
            "minute" => self.0.minute() as i64,
            "second" => self.0.second() as i64,
            _ => return None,
        }))
    }
    fn call_method(
        &self,
        _s: &State,
        name: &str,
        args: &[Value],
        _k: &Kwargs,
    ) -> Result<Value, Error> {
        match name {
            "strftime" => {
                let fmt = args
                    .first()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                Ok(Value::from(self.0.format(&fmt).to_string()))
            }
            "isoformat" => Ok(Value::from(
                self.0.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            )),
            "date" => Ok(Value::from(self.0.format("%Y-%m-%d").to_string())),
            _ => Err(err(format!(
                "datetime.{name}() is not supported by runner yet"
            ))),
        }
    }
    fn to_str(&self) -> String {
        self.0.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[derive(Debug)]
struct ReModule;

fn regex_arg(args: &[Value]) -> Result<regex::Regex, Error> {
    let pattern = args
        .first()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    regex::Regex::new(&pattern).map_err(|e| err(format!("invalid regular expression: {e}")))
}

impl Object for ReModule {
    fn type_name(&self) -> &str {
        "module"
    }
    fn call_method(
        &self,
        _s: &State,
        name: &str,
        args: &[Value],
        _k: &Kwargs,
    ) -> Result<Value, Error> {
        let text = args
            .get(1)
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        match name {
            "match" => {
                let re = regex_arg(args)?;
                Ok(match re.find(&text) {
                    Some(m) if m.start() == 0 => Value::from(m.as_str()),
                    _ => Value::None,
                })
            }
            "search" => Ok(regex_arg(args)?
                .find(&text)
                .map(|m| Value::from(m.as_str()))
                .unwrap_or(Value::None)),
            "findall" => Ok(Value::list(
                regex_arg(args)?
                    .find_iter(&text)
                    .map(|m| Value::from(m.as_str()))
                    .collect(),
            )),
            "sub" => {
                let re = regex_arg(args)?;
                let repl = text;
                let subject = args
                    .get(2)
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                Ok(Value::from(
                    re.replace_all(&subject, repl.as_str()).into_owned(),
                ))
            }
            "split" => Ok(Value::list(
                regex_arg(args)?.split(&text).map(Value::from).collect(),
            )),
            "escape" => Ok(Value::from(regex::escape(
                &args
                    .first()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
            ))),
            _ => Err(err(format!("re.{name}() is not supported by runner yet"))),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[derive(Debug)]
struct ItertoolsModule;

impl Object for ItertoolsModule {
    fn type_name(&self) -> &str {
        "module"
    }
    fn call_method(
        &self,
        _s: &State,
        name: &str,
        args: &[Value],
        _k: &Kwargs,
    ) -> Result<Value, Error> {
        match name {
            "chain" => {
                let mut out = Vec::new();
                for a in args {
                    out.extend(a.try_iter()?);
                }
                Ok(Value::list(out))
            }
            "product" => {
                let mut acc: Vec<Vec<Value>> = vec![Vec::new()];
                for a in args {
                    let items = a.try_iter()?;
                    acc = acc
                        .into_iter()
                        .flat_map(|prefix| {
                            items.iter().map(move |i| {
                                let mut p = prefix.clone();
                                p.push(i.clone());
                                p
                            })
                        })
                        .collect();
                }
                Ok(Value::list(acc.into_iter().map(Value::tuple).collect()))
            }
            _ => Err(err(format!(
                "itertools.{name}() is not supported by runner yet"
            ))),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[derive(Debug)]
struct PytzModule;

impl Object for PytzModule {
    fn type_name(&self) -> &str {
        "module"
    }
    fn call_method(
        &self,
        _s: &State,
        name: &str,
        args: &[Value],
        _k: &Kwargs,
    ) -> Result<Value, Error> {
        match name {
            "timezone" => Ok(args.first().cloned().unwrap_or(Value::None)),
            _ => Err(err(format!("pytz.{name}() is not supported by runner yet"))),
        }
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        (name == "utc" || name == "UTC").then(|| Value::from("UTC"))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
