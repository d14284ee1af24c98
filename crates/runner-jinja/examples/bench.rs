//! Micro benchmark: parse + render 10,000 small templates.
//! Run with `cargo run -p runner-jinja --release --example bench`.

use std::sync::Arc;
use std::time::Instant;

use indexmap::IndexMap;
use runner_jinja::{Environment, Globals, Template, Value};

const SRC: &str = "{% macro col(name, alias=none) %}{{ name }}{% if alias %} as {{ alias }}{% endif %}{% endmacro %}
select
{%- for c in columns %}
    {{ col(c, c|upper if loop.first else none) }}{{ ',' if not loop.last }}
{%- endfor %}
from {{ ref }} where id > {{ n * 2 }} -- {{ {'k': [1, 2.5, 'x']} }}
{% set ns = namespace(total=0) %}{% for i in range(5) %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}
";

fn main() {
    let env = Environment::new();
    let mut g = IndexMap::new();
    g.insert(
        "columns".to_string(),
        Value::list(vec!["a".into(), "b".into(), "c".into()]),
    );
    g.insert("ref".to_string(), Value::from("analytics.orders"));
    g.insert("n".to_string(), Value::Int(21));
    let globals: Arc<dyn Globals> = Arc::new(g);
    let sources: Vec<String> = (0..10_000)
        .map(|i| format!("{SRC}-- template {i}"))
        .collect();
    let start = Instant::now();
    let templates: Vec<Template> = sources
        .iter()
        .map(|s| Template::parse("bench.sql", s).expect("parse"))
        .collect();
    let parsed = start.elapsed();
    let mut bytes = 0;
    for t in &templates {
        bytes += env
            .render(t, globals.clone(), "root")
            .expect("render")
            .len();
    }
    let elapsed = start.elapsed();
    println!(
        "parsed+rendered 10000 templates ({bytes} bytes out) in {elapsed:?} (parse {parsed:?}, render {:?})",
        elapsed - parsed
    );
}
