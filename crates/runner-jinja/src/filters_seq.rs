//! Jinja2's builtin filters on sequences and mappings (sort, map, select,
//! groupby, join, sum, …).

use crate::error::{Error, ErrorKind, Result, type_err};
use crate::eval::{Environment, State};
use crate::filters::Args;
use crate::methods::sort_values;
use crate::value::Value;
use crate::value::ops::BinOp;
use crate::value::ops::binop;

type Filter = fn(&State, Value, &Args) -> Result<Value>;

/// Register sequence filters through the shared registration helper.
pub(crate) fn register(env: &mut Environment, reg: fn(&mut Environment, &[&str], Filter)) {
    reg(env, &["batch"], batch);
    reg(env, &["length", "count"], |_, v, _| {
        v.len()
            .map(Value::from)
            .ok_or_else(|| type_err(format!("object of type '{}' has no len()", v.type_name())))
    });
    reg(env, &["dictsort"], dictsort);
    reg(env, &["first"], |_, v, _| {
        Ok(v.try_iter()?
            .into_iter()
            .next()
            .unwrap_or_else(|| Value::Undefined(Some("No first item, sequence was empty.".into()))))
    });
    reg(env, &["last"], |_, v, _| {
        Ok(v.try_iter()?
            .pop()
            .unwrap_or_else(|| Value::Undefined(Some("No last item, sequence was empty.".into()))))
    });
    reg(env, &["groupby"], groupby);
    reg(env, &["items"], |_, v, _| match &v {
        Value::Undefined(_) => Ok(Value::list(Vec::new())),
        Value::Dict(d) => Ok(Value::list(
            d.read()
                .iter()
                .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()]))
                .collect(),
        )),
        _ => Err(type_err("Can only get item pairs from a mapping.")),
    });
    reg(env, &["join"], join);
    reg(env, &["list"], |_, v, _| Ok(Value::list(v.try_iter()?)));
    reg(env, &["map"], map);
    reg(env, &["max"], |s, v, a| min_max(s, v, a, true));
    reg(env, &["min"], |s, v, a| min_max(s, v, a, false));
    reg(env, &["select"], |s, v, a| select(s, v, a, false, true));
    reg(env, &["reject"], |s, v, a| select(s, v, a, false, false));
    reg(env, &["selectattr"], |s, v, a| select(s, v, a, true, true));
    reg(env, &["rejectattr"], |s, v, a| select(s, v, a, true, false));
    reg(env, &["reverse"], |_, v, _| {
        Ok(match &v {
            Value::Str(s) => Value::from(s.chars().rev().collect::<String>()),
            v => {
                let mut items = v.try_iter()?;
                items.reverse();
                Value::list(items)
            }
        })
    });
    reg(env, &["slice"], slice);
    reg(env, &["sort"], sort);
    reg(env, &["sum"], sum);
    reg(env, &["unique"], unique);
}

fn ignore_case(v: Value) -> Value {
    match &v {
        Value::Str(s) => Value::from(s.to_lowercase()),
        _ => v,
    }
}

/// Jinja2 `make_attrgetter`: dotted path, integer parts index, item-then-attribute.
pub(crate) fn attr_path(item: &Value, attr: &Value) -> Value {
    match attr {
        Value::Str(path) => {
            let mut cur = item.clone();
            for part in path.split('.') {
                let key = part
                    .parse::<i64>()
                    .map(Value::Int)
                    .unwrap_or_else(|_| Value::from(part));
                cur = cur.get_item(&key);
            }
            cur
        }
        Value::None => item.clone(),
        other => item.get_item(other),
    }
}

fn getter(
    attr: Option<&Value>,
    default: Option<&Value>,
    case_sensitive: bool,
) -> impl Fn(&Value) -> Value {
    let attr = attr.cloned();
    let default = default.cloned();
    move |item: &Value| {
        let mut v = match &attr {
            Some(a) => attr_path(item, a),
            None => item.clone(),
        };
        if v.is_undefined()
            && let Some(d) = &default
        {
            v = d.clone();
        }
        if case_sensitive { v } else { ignore_case(v) }
    }
}

fn batch(_: &State, v: Value, a: &Args) -> Result<Value> {
    let n = a.int(0, "linecount", 1)?.max(1) as usize;
    let fill = a.opt(1, "fill_with");
    let mut out = Vec::new();
    let mut tmp = Vec::new();
    for it in v.try_iter()? {
        if tmp.len() == n {
            out.push(Value::list(std::mem::take(&mut tmp)));
        }
        tmp.push(it);
    }
    if !tmp.is_empty() {
        if let Some(f) = fill {
            while tmp.len() < n {
                tmp.push(f.clone());
            }
        }
        out.push(Value::list(tmp));
    }
    Ok(Value::list(out))
}

fn slice(_: &State, v: Value, a: &Args) -> Result<Value> {
    let slices = a.int(0, "slices", 1)?.max(1) as usize;
    let fill = a.opt(1, "fill_with");
    let seq = v.try_iter()?;
    let per = seq.len() / slices;
    let extra = seq.len() % slices;
    let mut offset = 0;
    let mut out = Vec::new();
    for n in 0..slices {
        let start = offset + n * per;
        if n < extra {
            offset += 1;
        }
        let end = offset + (n + 1) * per;
        let mut tmp: Vec<Value> = seq[start.min(seq.len())..end.min(seq.len())].to_vec();
        if let Some(f) = fill
            && n >= extra
        {
            tmp.push(f.clone());
        }
        out.push(Value::list(tmp));
    }
    Ok(Value::list(out))
}

fn dictsort(_: &State, v: Value, a: &Args) -> Result<Value> {
    let case_sensitive = a.bool(0, "case_sensitive", false);
    let by = a.string(1, "by", "key");
    let reverse = a.bool(2, "reverse", false);
    let pos = match by.as_str() {
        "key" => 0,
        "value" => 1,
        _ => {
            return Err(Error::new(
                ErrorKind::Runtime,
                "You can only sort by either \"key\" or \"value\"",
            ));
        }
    };
    let Value::Dict(d) = &v else {
        return Err(type_err("dictsort requires a mapping"));
    };
    let mut items: Vec<Value> = d
        .read()
        .iter()
        .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()]))
        .collect();
    sort_values(&mut items, reverse, |t| {
        let x = t.get_item(&Value::Int(pos));
        if case_sensitive { x } else { ignore_case(x) }
    })?;
    Ok(Value::list(items))
}

fn groupby(_: &State, v: Value, a: &Args) -> Result<Value> {
    let attr = a.get(0, "attribute").cloned().unwrap_or(Value::None);
    let default = a.opt(1, "default");
    let case_sensitive = a.bool(2, "case_sensitive", false);
    let key = getter(Some(&attr), default, case_sensitive);
    let out_key = getter(Some(&attr), default, true);
    let mut items = v.try_iter()?;
    sort_values(&mut items, false, &key)?;
    let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
    for it in items {
        let k = key(&it);
        match groups.last_mut() {
            Some((gk, list)) if *gk == k => list.push(it),
            _ => groups.push((k, vec![it])),
        }
    }
    Ok(Value::list(
        groups
            .into_iter()
            .map(|(k, list)| {
                let k = if case_sensitive { k } else { out_key(&list[0]) };
                Value::tuple(vec![k, Value::list(list)])
            })
            .collect(),
    ))
}

fn join(_: &State, v: Value, a: &Args) -> Result<Value> {
    let d = a.string(0, "d", "");
    let attr = a.opt(1, "attribute");
    let items = v.try_iter()?;
    let parts: Vec<String> = items
        .iter()
        .map(|it| match attr {
            Some(at) => attr_path(it, at).to_python_str(),
            None => it.to_python_str(),
        })
        .collect();
    Ok(parts.join(&d).into())
}

/// Jinja2's `map`, `select` and friends iterate only a truthy value: `none | map('lower')` is empty.
fn items_if_truthy(v: &Value) -> Result<Vec<Value>> {
    if v.is_true() {
        v.try_iter()
    } else {
        Ok(Vec::new())
    }
}

fn map(state: &State, v: Value, a: &Args) -> Result<Value> {
    let items = items_if_truthy(&v)?;
    if a.args.is_empty() {
        if let Some(attr) = a.kwargs.get("attribute") {
            let g = getter(Some(attr), a.kwargs.get("default"), true);
            return Ok(Value::list(items.iter().map(g).collect()));
        }
        return Err(Error::new(
            ErrorKind::Runtime,
            "map requires a filter argument",
        ));
    }
    let name = a.args[0].to_python_str();
    let rest = &a.args[1..];
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        out.push(state.apply_filter(&name, it, rest, a.kwargs)?);
    }
    Ok(Value::list(out))
}

fn min_max(_: &State, v: Value, a: &Args, max: bool) -> Result<Value> {
    let case_sensitive = a.bool(0, "case_sensitive", false);
    let attr = a.opt(1, "attribute");
    let key = getter(attr, None, case_sensitive);
    let mut items = v.try_iter()?;
    if items.is_empty() {
        return Ok(Value::Undefined(Some(
            "No aggregated item, sequence was empty.".into(),
        )));
    }
    let mut best = items.remove(0);
    let mut best_key = key(&best);
    for it in items {
        let k = key(&it);
        let o = crate::value::ops::compare(&k, &best_key, if max { ">" } else { "<" })?;
        if (max && o.is_gt()) || (!max && o.is_lt()) {
            best = it;
            best_key = k;
        }
    }
    Ok(best)
}

fn select(state: &State, v: Value, a: &Args, by_attr: bool, keep: bool) -> Result<Value> {
    let items = items_if_truthy(&v)?;
    let mut args = a.args;
    let attr = if by_attr {
        let at = args.first().cloned().unwrap_or(Value::None);
        args = args.get(1..).unwrap_or(&[]);
        Some(at)
    } else {
        None
    };
    let test = args.first().map(|t| t.to_python_str());
    let targs = args.get(1..).unwrap_or(&[]);
    let mut out = Vec::new();
    for it in items {
        let x = match &attr {
            Some(at) => attr_path(&it, at),
            None => it.clone(),
        };
        let r = match &test {
            Some(t) => state.apply_test(t, &x, targs)?,
            None => x.is_true(),
        };
        if r == keep {
            out.push(it);
        }
    }
    Ok(Value::list(out))
}

fn sort(_: &State, v: Value, a: &Args) -> Result<Value> {
    let reverse = a.bool(0, "reverse", false);
    let case_sensitive = a.bool(1, "case_sensitive", false);
    let attr = a.opt(2, "attribute");
    let mut items = v.try_iter()?;
    match attr {
        Some(Value::Str(s)) if s.contains(',') => {
            let parts: Vec<Value> = s.split(',').map(|p| Value::from(p.trim())).collect();
            sort_values(&mut items, reverse, |it| {
                Value::list(
                    parts
                        .iter()
                        .map(|p| getter(Some(p), None, case_sensitive)(it))
                        .collect(),
                )
            })?;
        }
        _ => sort_values(&mut items, reverse, getter(attr, None, case_sensitive))?,
    }
    Ok(Value::list(items))
}

fn sum(_: &State, v: Value, a: &Args) -> Result<Value> {
    let attr = a.opt(0, "attribute");
    let mut acc = a.get(1, "start").cloned().unwrap_or(Value::Int(0));
    for it in v.try_iter()? {
        let x = match attr {
            Some(at) => attr_path(&it, at),
            None => it,
        };
        acc = binop(BinOp::Add, &acc, &x)?;
    }
    Ok(acc)
}

fn unique(_: &State, v: Value, a: &Args) -> Result<Value> {
    let case_sensitive = a.bool(0, "case_sensitive", false);
    let attr = a.opt(1, "attribute");
    let key = getter(attr, None, case_sensitive);
    let mut seen: Vec<Value> = Vec::new();
    let mut out = Vec::new();
    for it in v.try_iter()? {
        let k = key(&it);
        if !seen.contains(&k) {
            seen.push(k);
            out.push(it);
        }
    }
    Ok(Value::list(out))
}
