//! `modules.itertools`: the fourteen functions dbt exports (`count`, `cycle`, `repeat`,
//! `accumulate`, `chain`, `compress`, `islice`, `starmap`, `tee`, `zip_longest`, `product`,
//! `permutations`, `combinations`, `combinations_with_replacement`; dbt leaves out `groupby` and the
//! wrapper it puts around each hides `chain.from_iterable`).
//!
//! Results are one-shot iterators as in Python: a second pass sees nothing. `count`, `cycle` and
//! `repeat` without `times` are lazy and infinite; `islice`, `zip`-like consumers pull from them
//! lazily, but iterating one to the end in a template stops after [`MAX_ITEMS`] items instead of
//! hanging. `accumulate` and `starmap` read their input eagerly.

use std::sync::Mutex;

use runner_jinja::{BinOp, Error, Kwargs, Object, State, Value};

use super::{bind, function, int_arg, obj, type_error, value_error};

/// Most items drawn from one iterator by a template (guards against infinite iterators).
pub const MAX_ITEMS: usize = 1_000_000;

type Items = Box<dyn Iterator<Item = Value> + Send>;

/// A Python iterator object (`<itertools.chain object>`).
pub(crate) struct PyIter {
    name: &'static str,
    inner: Mutex<Items>,
}

impl std::fmt::Debug for PyIter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{} object>", self.name)
    }
}

impl PyIter {
    fn take(&self) -> Items {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::replace(&mut *g, Box::new(std::iter::empty()))
    }
}

impl Object for PyIter {
    fn type_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(self.name)
    }
    fn iter(&self) -> Option<Vec<Value>> {
        Some(self.take().take(MAX_ITEMS).collect())
    }
    fn to_str(&self) -> String {
        format!("<{} object>", self.name)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A one-shot iterator value over `items`.
pub(crate) fn iterator(name: &'static str, items: Vec<Value>) -> Value {
    lazy(name, Box::new(items.into_iter()))
}

fn lazy(name: &'static str, items: Items) -> Value {
    obj(PyIter {
        name,
        inner: Mutex::new(items),
    })
}

/// The items of an argument: pulled lazily from our iterators, else Python's `iter()`.
fn source(v: &Value) -> Result<Items, Error> {
    match v.downcast_object::<PyIter>() {
        Some(it) => Ok(it.take()),
        None => Ok(Box::new(v.try_iter()?.into_iter())),
    }
}

fn finite(v: &Value) -> Result<Vec<Value>, Error> {
    Ok(source(v)?.take(MAX_ITEMS).collect())
}

fn r_arg(v: Option<&Value>, default: usize) -> Result<usize, Error> {
    match v.filter(|v| !v.is_none()) {
        None => Ok(default),
        Some(v) => usize::try_from(int_arg(v)?).map_err(|_| value_error("r must be non-negative")),
    }
}

/// Index tuples of `r`-combinations of `n` items (`repl`: with replacement), in lexicographic order.
fn combos(n: usize, r: usize, repl: bool) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut cur = Vec::with_capacity(r);
    fn go(
        start: usize,
        n: usize,
        r: usize,
        repl: bool,
        cur: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if cur.len() == r {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            cur.push(i);
            go(if repl { i } else { i + 1 }, n, r, repl, cur, out);
            cur.pop();
        }
    }
    go(0, n, r, repl, &mut cur, &mut out);
    out
}

fn permutations(n: usize, r: usize) -> Vec<Vec<usize>> {
    fn go(n: usize, r: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == r {
            out.push(cur.clone());
            return;
        }
        for i in 0..n {
            if !cur.contains(&i) {
                cur.push(i);
                go(n, r, cur, out);
                cur.pop();
            }
        }
    }
    let mut out = Vec::new();
    if r <= n {
        go(n, r, &mut Vec::new(), &mut out);
    }
    out
}

fn pick(pool: &[Value], idx: Vec<Vec<usize>>) -> Vec<Value> {
    idx.into_iter()
        .map(|ix| Value::tuple(ix.into_iter().map(|i| pool[i].clone()).collect()))
        .collect()
}

fn number(v: &Value) -> Result<Value, Error> {
    match v {
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Ok(v.clone()),
        _ => Err(type_error("a number is required")),
    }
}

fn islice(args: &[Value]) -> Result<Value, Error> {
    let it = source(
        args.first()
            .ok_or_else(|| type_error("islice expected at least 2 arguments, got 0"))?,
    )?;
    let idx = |v: Option<&Value>| -> Result<Option<usize>, Error> {
        match v.filter(|v| !v.is_none()) {
            None => Ok(None),
            Some(v) => usize::try_from(int_arg(v)?).map(Some).map_err(|_| {
                value_error(
                    "Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.",
                )
            }),
        }
    };
    let (start, stop, step) = match args.len() {
        2 => (0, idx(args.get(1))?, 1),
        3 | 4 => (
            idx(args.get(1))?.unwrap_or(0),
            idx(args.get(2))?,
            idx(args.get(3))?.unwrap_or(1),
        ),
        n => {
            return Err(type_error(format!(
                "islice expected at most 4 arguments, got {n}"
            )));
        }
    };
    if step == 0 {
        return Err(value_error(
            "Step for islice() must be a positive integer or None.",
        ));
    }
    let it = it.skip(start).step_by(step);
    Ok(match stop {
        Some(stop) => lazy(
            "itertools.islice",
            Box::new(it.take(stop.saturating_sub(start).div_ceil(step))),
        ),
        None => lazy("itertools.islice", Box::new(it)),
    })
}

fn call(state: &State, name: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let no_kw = || match kwargs.keys().next() {
        Some(k) => Err(type_error(format!(
            "{name}() takes no keyword arguments ('{k}')"
        ))),
        None => Ok(()),
    };
    Ok(match name {
        "count" => {
            let b = bind("count", &["start", "step"], args, kwargs)?;
            let start = number(b.get(0).unwrap_or(&Value::Int(0)))?;
            let step = number(b.get(1).unwrap_or(&Value::Int(1)))?;
            let it =
                std::iter::successors(Some(start), move |v| v.binary_op(BinOp::Add, &step).ok());
            lazy("itertools.count", Box::new(it))
        }
        "cycle" => {
            let items = finite(bind("cycle", &["iterable"], args, kwargs)?.required(0)?)?;
            lazy("itertools.cycle", Box::new(items.into_iter().cycle()))
        }
        "repeat" => {
            let b = bind("repeat", &["object", "times"], args, kwargs)?;
            let v = b.required(0)?.clone();
            match b.get(1) {
                Some(t) => iterator("itertools.repeat", vec![v; int_arg(t)?.max(0) as usize]),
                None => lazy("itertools.repeat", Box::new(std::iter::repeat(v))),
            }
        }
        "accumulate" => {
            let b = bind("accumulate", &["iterable", "func", "initial"], args, kwargs)?;
            let mut items = finite(b.required(0)?)?;
            if let Some(init) = b.opt(2) {
                items.insert(0, init.clone());
            }
            let func = b.opt(1);
            let mut out: Vec<Value> = Vec::with_capacity(items.len());
            for v in items {
                let next = match (out.last(), func) {
                    (None, _) => v,
                    (Some(acc), None) => acc.binary_op(BinOp::Add, &v)?,
                    (Some(acc), Some(f)) => state.call(f, vec![acc.clone(), v], Kwargs::new())?,
                };
                out.push(next);
            }
            iterator("itertools.accumulate", out)
        }
        "chain" => {
            no_kw()?;
            let parts = args.iter().map(source).collect::<Result<Vec<_>, _>>()?;
            lazy("itertools.chain", Box::new(parts.into_iter().flatten()))
        }
        "compress" => {
            let b = bind("compress", &["data", "selectors"], args, kwargs)?;
            let (data, sel) = (source(b.required(0)?)?, source(b.required(1)?)?);
            lazy(
                "itertools.compress",
                Box::new(data.zip(sel).filter(|(_, s)| s.is_true()).map(|(d, _)| d)),
            )
        }
        "islice" => {
            no_kw()?;
            islice(args)?
        }
        "starmap" => {
            let b = bind("starmap", &["function", "iterable"], args, kwargs)?;
            let f = b.required(0)?;
            let mut out = Vec::new();
            for v in finite(b.required(1)?)? {
                out.push(state.call(f, v.try_iter()?, Kwargs::new())?);
            }
            iterator("itertools.starmap", out)
        }
        "tee" => {
            let b = bind("tee", &["iterable", "n"], args, kwargs)?;
            let items = finite(b.required(0)?)?;
            let n = b.int_or(1, 2)?;
            if n < 0 {
                return Err(value_error("n must be >= 0"));
            }
            Value::tuple(
                (0..n)
                    .map(|_| iterator("itertools._tee", items.clone()))
                    .collect(),
            )
        }
        "zip_longest" => {
            let mut kw = kwargs.clone();
            let fill = kw.shift_remove("fillvalue").unwrap_or(Value::None);
            if let Some(k) = kw.keys().next() {
                return Err(type_error(format!(
                    "zip_longest() got an unexpected keyword argument '{k}'"
                )));
            }
            let mut its = args.iter().map(source).collect::<Result<Vec<_>, _>>()?;
            let it = std::iter::from_fn(move || {
                let row: Vec<Option<Value>> = its.iter_mut().map(|i| i.next()).collect();
                (row.iter().any(Option::is_some) && !row.is_empty()).then(|| {
                    Value::tuple(
                        row.into_iter()
                            .map(|v| v.unwrap_or_else(|| fill.clone()))
                            .collect(),
                    )
                })
            });
            lazy("itertools.zip_longest", Box::new(it))
        }
        "product" => {
            let mut kw = kwargs.clone();
            let repeat = kw
                .shift_remove("repeat")
                .map(|v| int_arg(&v))
                .transpose()?
                .unwrap_or(1)
                .max(0) as usize;
            if let Some(k) = kw.keys().next() {
                return Err(type_error(format!(
                    "product() got an unexpected keyword argument '{k}'"
                )));
            }
            let pools = args.iter().map(finite).collect::<Result<Vec<_>, _>>()?;
            let mut acc: Vec<Vec<Value>> = vec![Vec::new()];
            for pool in std::iter::repeat_n(pools, repeat).flatten() {
                acc = acc
                    .iter()
                    .flat_map(|p| {
                        pool.iter()
                            .map(move |v| [p.clone(), vec![v.clone()]].concat())
                    })
                    .collect();
            }
            iterator(
                "itertools.product",
                acc.into_iter().map(Value::tuple).collect(),
            )
        }
        "permutations" => {
            let b = bind("permutations", &["iterable", "r"], args, kwargs)?;
            let pool = finite(b.required(0)?)?;
            let r = r_arg(b.get(1), pool.len())?;
            iterator(
                "itertools.permutations",
                pick(&pool, permutations(pool.len(), r)),
            )
        }
        "combinations" | "combinations_with_replacement" => {
            let b = bind("combinations", &["iterable", "r"], args, kwargs)?;
            let pool = finite(b.required(0)?)?;
            let r = r_arg(Some(b.required(1)?), 0)?;
            let repl = name != "combinations";
            let idx = if !repl && r > pool.len() || repl && pool.is_empty() && r > 0 {
                Vec::new()
            } else {
                combos(pool.len(), r, repl)
            };
            iterator(
                if repl {
                    "itertools.combinations_with_replacement"
                } else {
                    "itertools.combinations"
                },
                pick(&pool, idx),
            )
        }
        _ => return Ok(Value::UNDEFINED),
    })
}

/// The `modules.itertools` dict.
pub(crate) fn module() -> Value {
    macro_rules! f {
        ($n:literal) => {
            (
                $n,
                function($n, |s: &State, a: &[Value], k: &Kwargs| call(s, $n, a, k)),
            )
        };
    }
    Value::dict_from([
        f!("count"),
        f!("cycle"),
        f!("repeat"),
        f!("accumulate"),
        f!("chain"),
        f!("compress"),
        f!("islice"),
        f!("starmap"),
        f!("tee"),
        f!("zip_longest"),
        f!("product"),
        f!("permutations"),
        f!("combinations"),
        f!("combinations_with_replacement"),
    ])
}
