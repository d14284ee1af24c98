//! Host-API tests: `return()`, package-aware globals, host objects, chainable
//! undefined, dbt block tags, thread sharing, errors and options.

use std::sync::{Arc, Mutex};

use indexmap::IndexMap;
use runner_jinja::{
    BlockKind, Environment, ErrorKind, Globals, Kwargs, MacroKind, Object, State, Template,
    UndefinedBehavior, Value, return_value,
};

fn map_globals(entries: Vec<(&str, Value)>) -> Arc<dyn Globals> {
    Arc::new(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<IndexMap<String, Value>>(),
    )
}

fn return_fn() -> Value {
    Value::from_function("return", |_, args, _| {
        Err(return_value(args.first().cloned().unwrap_or(Value::None)))
    })
}

fn render(src: &str, globals: Arc<dyn Globals>) -> Result<String, runner_jinja::Error> {
    let env = Environment::new();
    let t = Template::parse("t.sql", src)?;
    env.render(&t, globals, "root")
}

#[test]
fn return_value_from_macro() {
    let g = map_globals(vec![("return", return_fn())]);
    let src = "{% macro m(x) %}ignored {% if x %}{{ return([x, {'k': none}]) }}{% endif %}tail{% endmacro %}\
               {% set v = m(1) %}{{ v }}|{{ v[1].k }}|{{ m(0)|trim }}";
    assert_eq!(
        render(src, g.clone()).unwrap(),
        "[1, {'k': None}]|None|ignored tail"
    );

    let t = Arc::new(
        Template::parse("m.sql", "{% macro m() %}{{ return(42) }}{% endmacro %}").unwrap(),
    );
    let m = Value::from_macro(t, 0, "pkg");
    let env = Environment::new();
    let v = env.call(g, "pkg", &m, vec![], Kwargs::new()).unwrap();
    assert_eq!(v, Value::Int(42));
}

#[test]
fn return_inside_loop_and_nested_macro() {
    let g = map_globals(vec![("return", return_fn())]);
    let src = "{% macro inner() %}{% for i in range(5) %}{% if i == 3 %}{{ return(i) }}{% endif %}{% endfor %}{% endmacro %}\
               {% macro outer() %}{{ return(inner() * 2) }}{% endmacro %}{{ outer() }}";
    assert_eq!(render(src, g).unwrap(), "6");
}

struct PackageGlobals {
    seen: Mutex<Vec<(String, String)>>,
}

impl Globals for PackageGlobals {
    fn lookup(&self, _state: &State, package: &str, name: &str) -> Option<Value> {
        self.seen
            .lock()
            .unwrap()
            .push((package.to_string(), name.to_string()));
        match name {
            "who" => Some(Value::from(format!("from-{package}"))),
            _ => None,
        }
    }
}

#[test]
fn globals_lookup_uses_macro_package() {
    let lib =
        Arc::new(Template::parse("lib.sql", "{% macro hello() %}{{ who }}{% endmacro %}").unwrap());
    let hello = Value::from_macro(lib.clone(), 0, "dbt_utils");
    struct G(PackageGlobals, Value);
    impl Globals for G {
        fn lookup(&self, state: &State, package: &str, name: &str) -> Option<Value> {
            if name == "hello" {
                return Some(self.1.clone());
            }
            self.0.lookup(state, package, name)
        }
    }
    let g = Arc::new(G(
        PackageGlobals {
            seen: Mutex::new(Vec::new()),
        },
        hello,
    ));
    let env = Environment::new();
    let t = Template::parse("model.sql", "{{ who }} {{ hello() }}").unwrap();
    let out = env.render(&t, g.clone(), "my_project").unwrap();
    assert_eq!(out, "from-my_project from-dbt_utils");
    let seen = g.0.seen.lock().unwrap();
    assert!(seen.contains(&("dbt_utils".to_string(), "who".to_string())));
    assert!(seen.contains(&("my_project".to_string(), "who".to_string())));
    assert_eq!(hello_name(&g.1), "hello");
}

fn hello_name(v: &Value) -> String {
    v.get_attr("name").to_python_str()
}

#[derive(Debug)]
struct Relation {
    schema: String,
    name: String,
}

impl Object for Relation {
    fn type_name(&self) -> &str {
        "Relation"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        match name {
            "schema" => Some(Value::from(self.schema.as_str())),
            "identifier" => Some(Value::from(self.name.as_str())),
            _ => None,
        }
    }
    fn call_method(
        &self,
        _state: &State,
        name: &str,
        args: &[Value],
        _kwargs: &Kwargs,
    ) -> Result<Value, runner_jinja::Error> {
        match name {
            "quoted" => Ok(Value::from(format!("\"{}\"", args[0].to_python_str()))),
            _ => Err(runner_jinja::Error::new(
                ErrorKind::Attribute,
                format!("no method {name}"),
            )),
        }
    }
    fn to_str(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[test]
fn host_objects() {
    let rel = Value::from_object(Arc::new(Relation {
        schema: "s".into(),
        name: "t".into(),
    }));
    let g = map_globals(vec![("rel", rel.clone())]);
    let out = render("{{ rel }}|{{ rel.schema }}|{{ rel['identifier'] }}|{{ rel.quoted('x') }}|{{ rel.nope is defined }}|{{ [rel] }}", g)
        .unwrap();
    assert_eq!(out, "s.t|s|t|\"x\"|False|[s.t]");
    assert_eq!(rel.downcast_object::<Relation>().unwrap().name, "t");
}

#[test]
fn custom_filters_and_tests() {
    let mut env = Environment::new();
    env.add_filter("double", |_, v, args, kw| {
        let times = args
            .first()
            .or(kw.get("times"))
            .and_then(|v| v.as_int())
            .unwrap_or(2);
        Ok(Value::Int(v.as_int().unwrap_or(0) * times))
    });
    env.add_test("big", |_, v, _| Ok(v.as_int().unwrap_or(0) > 100));
    let t = Template::parse("t", "{{ 4|double }} {{ 4|double(3) }} {{ 4|double(times=5) }} {{ 500 is big }} {{ [1, 200]|select('big')|list }}").unwrap();
    assert_eq!(
        env.render(&t, map_globals(vec![]), "root").unwrap(),
        "8 12 20 True [200]"
    );
}

#[test]
fn chainable_undefined_never_raises() {
    let mut env = Environment::new();
    env.set_undefined(UndefinedBehavior::Chainable);
    let t = Template::parse("t", "[{{ a.b.c }}][{{ a.b() }}][{{ a['x'].y(1) }}][{% for x in a.b %}{{ x }}{% endfor %}][{{ a + 1 }}][{{ a is defined }}]").unwrap();
    assert_eq!(
        env.render(&t, map_globals(vec![]), "root").unwrap(),
        "[][][][][][False]"
    );

    let lenient = Environment::new();
    let err = lenient
        .render(
            &Template::parse("t", "{{ a.b }}").unwrap(),
            map_globals(vec![]),
            "root",
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Undefined);
    assert_eq!(err.message(), "'a' is undefined");
}

#[test]
fn dbt_block_tags() {
    let src = "\
{% materialization table, adapter='snowflake' %}{{ return({'relations': []}) }}{% endmaterialization %}
{% materialization view, default %}v{% endmaterialization %}
{% test not_null(model, column_name) %}select * from {{ model }} where {{ column_name }} is null{% endtest %}
{% macro plain(a, b=1) %}{% endmacro %}
{% snapshot snap_orders %}
{{ config(unique_key='id') }}
select 1
{% endsnapshot %}
{% docs my_doc %}
# Title {{ not jinja
{% enddocs %}
after";
    let t = Template::parse("blocks.sql", src).unwrap();
    let names: Vec<(&str, MacroKind, usize)> = t
        .macros()
        .iter()
        .map(|m| (m.name.as_str(), m.kind, m.line))
        .collect();
    assert_eq!(
        names,
        vec![
            (
                "materialization_table_snowflake",
                MacroKind::Materialization,
                1
            ),
            (
                "materialization_view_default",
                MacroKind::Materialization,
                2
            ),
            ("test_not_null", MacroKind::Test, 3),
            ("plain", MacroKind::Macro, 4),
        ]
    );
    assert_eq!(
        t.macros()[2].params,
        vec!["model".to_string(), "column_name".to_string()]
    );
    let blocks = t.blocks();
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].kind, BlockKind::Snapshot);
    assert_eq!(blocks[0].name, "snap_orders");
    assert_eq!(blocks[0].line, 5);
    assert_eq!(
        blocks[0].body,
        "\n{{ config(unique_key='id') }}\nselect 1\n"
    );
    assert_eq!(blocks[1].kind, BlockKind::Docs);
    assert_eq!(blocks[1].body, "\n# Title {{ not jinja\n");
    let out = Environment::new()
        .render(&t, map_globals(vec![]), "root")
        .unwrap();
    assert_eq!(out, "\n\n\n\n\n\nafter");

    let g = map_globals(vec![("return", return_fn())]);
    let t = Arc::new(t);
    let test_macro = Value::from_macro(t.clone(), 2, "root");
    let mut kw = Kwargs::new();
    kw.insert("column_name".into(), Value::from("id"));
    let sql = Environment::new()
        .call(g, "root", &test_macro, vec![Value::from("orders")], kw)
        .unwrap();
    assert_eq!(sql.as_str(), Some("select * from orders where id is null"));
}

#[test]
fn values_are_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Value>();
    assert_send_sync::<Template>();
    assert_send_sync::<Environment>();

    let graph = Value::dict_from(vec![("nodes", Value::list(vec![]))]);
    let env = Arc::new(Environment::new());
    let tmpl = Arc::new(
        Template::parse(
            "t",
            "{% do graph.nodes.append(n) %}{{ graph.nodes|length > 0 }}",
        )
        .unwrap(),
    );
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let (env, tmpl, graph) = (env.clone(), tmpl.clone(), graph.clone());
            std::thread::spawn(move || {
                let g = map_globals(vec![("graph", graph), ("n", Value::Int(i))]);
                env.render(&tmpl, g, "root").unwrap()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), "True");
    }
    assert_eq!(graph.get_attr("nodes").len(), Some(8));
}

#[test]
fn list_reference_semantics_from_rust() {
    let xs = Value::list(vec![Value::Int(1)]);
    let g = map_globals(vec![("xs", xs.clone())]);
    render("{% set ys = xs %}{% do ys.append(2) %}", g).unwrap();
    assert_eq!(xs.repr(), "[1, 2]");
}

#[test]
fn errors_name_template_and_line() {
    let env = Environment::new();
    let t = Template::parse("models/x.sql", "line1\nline2\n{{ 1 / 0 }}\nline4").unwrap();
    let err = env.render(&t, map_globals(vec![]), "root").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ZeroDivision);
    assert_eq!(err.template_name(), Some("models/x.sql"));
    assert_eq!(err.line(), Some(3));
    let shown = err.to_string();
    assert!(
        shown.starts_with("models/x.sql:3: division by zero"),
        "{shown}"
    );
    assert!(shown.contains("   3 > {{ 1 / 0 }}"), "{shown}");

    let err = Template::parse("bad.sql", "a\n{% for x in y %}\n{{ x }}").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Syntax);
    assert_eq!(err.line(), Some(3));
    assert!(
        err.message().contains("'endfor' or 'else'"),
        "{}",
        err.message()
    );
    let err = Template::parse("bad.sql", "{% include 'x' %}").unwrap_err();
    assert!(err.message().contains("not supported"));
}

#[test]
fn errors_inside_macros_point_at_macro_template() {
    let lib = Arc::new(
        Template::parse(
            "macros/lib.sql",
            "{% macro boom() %}\n{{ undefined_fn() }}\n{% endmacro %}",
        )
        .unwrap(),
    );
    let boom = Value::from_macro(lib, 0, "pkg");
    let env = Environment::new();
    let t = Template::parse("model.sql", "x\n{{ boom() }}").unwrap();
    let err = env
        .render(&t, map_globals(vec![("boom", boom)]), "root")
        .unwrap_err();
    assert_eq!(err.template_name(), Some("macros/lib.sql"));
    assert_eq!(err.line(), Some(2));
    assert_eq!(err.message(), "'undefined_fn' is undefined");
}

#[test]
fn keep_trailing_newline_option() {
    let mut env = Environment::new();
    let t = Template::parse("t", "a\n").unwrap();
    assert_eq!(env.render(&t, map_globals(vec![]), "root").unwrap(), "a");
    env.set_keep_trailing_newline(true);
    assert_eq!(env.render(&t, map_globals(vec![]), "root").unwrap(), "a\n");
    let t = Template::parse("t", "a{{ 1 -}}\n").unwrap();
    assert_eq!(env.render(&t, map_globals(vec![]), "root").unwrap(), "a1");
    let t = Template::parse("t", "a\r\nb\r\n").unwrap();
    assert_eq!(
        env.render(&t, map_globals(vec![]), "root").unwrap(),
        "a\nb\n"
    );
}

#[test]
fn state_call_and_lookup_from_native_code() {
    let apply = Value::from_function("apply", |state, args, _| {
        let f = state.lookup("helper").expect("helper visible");
        state.call(&f, args.to_vec(), Kwargs::new())
    });
    let g = map_globals(vec![("apply", apply)]);
    let out = render(
        "{% macro helper(x) %}<{{ x }}>{% endmacro %}{{ apply(5) }}",
        g,
    )
    .unwrap();
    assert_eq!(out, "<5>");
}

#[test]
fn json_round_trip() {
    let j: serde_json::Value = serde_json::json!({"b": [1, 2.5, null, true, "x"], "a": {"c": {}}});
    let v = Value::from_json(&j);
    assert_eq!(v.repr(), "{'b': [1, 2.5, None, True, 'x'], 'a': {'c': {}}}");
    assert_eq!(v.to_json().unwrap(), j);
    assert!(Value::UNDEFINED.to_json().is_err());
}

#[test]
fn python_str_and_repr() {
    assert_eq!(Value::Float(1e-5).to_python_str(), "1e-05");
    assert_eq!(Value::Float(1e16).repr(), "1e+16");
    assert_eq!(Value::from("it's").repr(), "\"it's\"");
    assert_eq!(Value::tuple(vec![Value::from("a")]).repr(), "('a',)");
    assert_eq!(Value::None.to_python_str(), "None");
    assert!(!Value::list(vec![]).is_true());
    assert_eq!(
        Value::dict_from(vec![("k", Value::Int(1))]).get_item(&Value::from("k")),
        Value::Int(1)
    );
}

#[test]
fn eval_output_gives_the_value_of_a_lone_expression() {
    let env = Environment::new();
    let g = map_globals(vec![("x", Value::from(41))]);
    let value = |src: &str| {
        let t = Template::parse("t.yml", src).unwrap();
        env.eval_output(&t, g.clone(), "root").unwrap()
    };
    let list = value("{{ [x + 1, 'a'] }}").expect("one expression");
    assert_eq!(list.repr(), "[42, 'a']");
    assert!(value("{{ x }} and more").is_none());
    assert!(value("{% if x %}{{ x }}{% endif %}").is_none());
    assert!(value("plain text").is_none());
    let t = Template::parse("t.yml", "{{ x.missing() }}").unwrap();
    assert!(env.eval_output(&t, g.clone(), "root").is_err());
}
