//! In-repo fixture projects checked against dbt-core's recorded output (`scripts/record-fixture.sh`):
//! compiled SQL, `ls` for every recorded selector, and the manifest fields a user can observe.

use std::path::Path;

use crate::support::{fixture_copy, ok, repo_root, runner, walk};

const FIXTURES: [&str; 3] = ["features", "sources", "yaml11"];

/// Differences from dbt that are known and not fixed yet: (fixture, item, why). A listed item that
/// starts matching dbt fails the test too, so this list only shrinks.
const KNOWN_GAPS: &[(&str, &str, &str)] = &[];

fn known_gap(fixture: &str, item: &str) -> bool {
    KNOWN_GAPS
        .iter()
        .any(|(f, i, _)| *f == fixture && *i == item)
}

/// The node fields compared with dbt's manifest for now: identity, placement, dependencies and the
/// materialization. The remaining fields of scripts/manifest-subset.py are the next step.
const CORE_KEYS: &[&str] = &[
    "unique_id",
    "resource_type",
    "package_name",
    "path",
    "original_file_path",
    "name",
    "alias",
    "fqn",
    "database",
    "schema",
    "relation_name",
    "checksum",
    "refs",
    "sources",
    "version",
    "latest_version",
    "attached_node",
    "file_key_name",
    "test_metadata",
    "raw_code",
    "compiled_code",
];

/// Keeps only [`CORE_KEYS`] (plus `depends_on.nodes` and `config.materialized`) of every resource.
fn core(subset: &serde_json::Value) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for (id, node) in subset.as_object().unwrap() {
        if id.ends_with("_map")
            || id == "selectors"
            || id.starts_with("macro.")
            || id.starts_with("doc.")
        {
            continue;
        }
        let mut kept = serde_json::Map::new();
        for k in CORE_KEYS {
            if let Some(v) = node.get(*k) {
                kept.insert(k.to_string(), v.clone());
            }
        }
        kept.insert(
            "depends_on.nodes".into(),
            node["depends_on"]["nodes"].clone(),
        );
        kept.insert(
            "materialized".into(),
            node["config"]["materialized"].clone(),
        );
        out.insert(id.clone(), serde_json::Value::Object(kept));
    }
    serde_json::Value::Object(out)
}

fn expected_dir(fixture: &str) -> std::path::PathBuf {
    repo_root()
        .join("tests/fixtures")
        .join(fixture)
        .join("expected")
}

fn trim_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    lines.join("\n").trim_end().to_string()
}

/// Splits a recorded argument string the way the recording shell did (single quotes only).
fn shell_words(args: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in args.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

#[test]
fn shell_words_keeps_quoted_spaces() {
    assert_eq!(shell_words("-s 'a b' --x ''"), vec!["-s", "a b", "--x", ""]);
}

fn compiled_files(root: &Path) -> Vec<(String, String)> {
    walk(root)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            (rel, trim_lines(&std::fs::read_to_string(&p).unwrap()))
        })
        .collect()
}

#[test]
fn compiled_sql_matches_dbt() {
    for fixture in FIXTURES {
        let dir = fixture_copy(fixture);
        ok(runner(dir.path(), &["compile"]));
        let want = compiled_files(&expected_dir(fixture).join("compiled"));
        let got = compiled_files(&dir.path().join("target/compiled"));
        let got: std::collections::BTreeMap<_, _> = got.into_iter().collect();
        let mut problems = Vec::new();
        for (name, w) in &want {
            let same = got.get(name) == Some(w);
            match (same, known_gap(fixture, name)) {
                (false, false) => problems.push(format!(
                    "{name} differs from dbt's:\n--- runner\n{}\n--- dbt\n{w}",
                    got.get(name).map_or("(missing)", String::as_str)
                )),
                (true, true) => {
                    problems.push(format!("{name} now matches: drop it from KNOWN_GAPS"))
                }
                _ => {}
            }
        }
        let extra: Vec<&String> = got
            .keys()
            .filter(|n| !want.iter().any(|(w, _)| w == *n))
            .collect();
        assert!(
            extra.is_empty(),
            "{fixture}: files dbt does not write: {extra:?}"
        );
        assert!(problems.is_empty(), "{fixture}:\n{}", problems.join("\n"));
    }
}

#[test]
fn ls_matches_dbt_for_every_recorded_selector() {
    for fixture in FIXTURES {
        let dir = fixture_copy(fixture);
        let ls = expected_dir(fixture).join("ls");
        let table = std::fs::read_to_string(ls.join("selectors.tsv")).unwrap();
        let mut failures = Vec::new();
        for row in table.lines().skip(1) {
            let cols: Vec<&str> = row.split('\t').collect();
            let (n, args, code) = (cols[0], cols[1], cols[2]);
            let mut argv = vec!["ls".to_string(), "-q".to_string()];
            argv.extend(shell_words(args));
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            let out = runner(dir.path(), &argv);
            let got = trim_lines(&String::from_utf8_lossy(&out.stdout));
            let want = trim_lines(&std::fs::read_to_string(ls.join(format!("{n}.txt"))).unwrap());
            let same = got == want && out.status.code() == code.parse().ok();
            let known = known_gap(fixture, &format!("ls#{n}"));
            if same && known {
                failures.push(format!("#{n} now matches: drop it from KNOWN_GAPS"));
            }
            if !same && !known {
                failures.push(format!(
                    "#{n} `ls {args}` exit {:?}:\n--- runner\n{got}\n--- dbt\n{want}\n{}",
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        assert!(failures.is_empty(), "{fixture}:\n{}", failures.join("\n"));
    }
}

#[test]
fn manifest_matches_dbt_on_observable_fields() {
    for fixture in FIXTURES {
        let (got, want) = compiled_and_recorded_subsets(fixture);
        let mut diffs = Vec::new();
        json_diff("", &core(&got), &core(&want), &mut diffs);
        assert!(
            diffs.is_empty(),
            "{fixture}: {} differences from dbt's manifest:\n{}",
            diffs.len(),
            diffs
                .iter()
                .take(60)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The `sources` fixture is about configuration, so every recorded field of its resources must
/// match, config, unrendered config, freshness and loaded_at_* included (not only [`CORE_KEYS`]).
#[test]
fn source_configuration_matches_dbt_on_every_recorded_field() {
    let (mut got, mut want) = compiled_and_recorded_subsets("sources");
    // The default overview page is our own text, not dbt's.
    for subset in [&mut got, &mut want] {
        subset
            .as_object_mut()
            .unwrap()
            .remove("doc.dbt.__overview__");
    }
    let mut diffs = Vec::new();
    json_diff("", &got, &want, &mut diffs);
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    // The recording holds the cases this fixture is for.
    let sources = want.as_object().unwrap();
    assert_eq!(
        sources["source.sources.legacy.own_field"]["freshness"]["warn_after"]["count"], 12,
        "a table's error_after keeps its source's warn_after"
    );
    assert!(sources["source.sources.modern.events"]["loaded_at_query"].is_string());
    assert!(!sources.contains_key("source.sources.modern.hidden"));
}

/// The manifest subset (scripts/manifest-subset.py) of `runner compile` on a copy of `fixture`,
/// and the one recorded from dbt.
fn compiled_and_recorded_subsets(fixture: &str) -> (serde_json::Value, serde_json::Value) {
    let dir = fixture_copy(fixture);
    ok(runner(dir.path(), &["compile"]));
    let out = std::process::Command::new("python3")
        .arg(repo_root().join("scripts/manifest-subset.py"))
        .arg(dir.path().join("target/manifest.json"))
        .output()
        .unwrap();
    let got = serde_json::from_slice(&ok(out).into_bytes()).unwrap();
    let recorded = expected_dir(fixture).join("manifest-subset.json");
    let want = serde_json::from_str(&std::fs::read_to_string(recorded).unwrap()).unwrap();
    (got, want)
}

/// Collects one line per differing leaf, with its JSON path.
fn json_diff(path: &str, got: &serde_json::Value, want: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value as J;
    match (got, want) {
        (J::Object(g), J::Object(w)) => {
            for (k, wv) in w {
                match g.get(k) {
                    Some(gv) => json_diff(&format!("{path}/{k}"), gv, wv, out),
                    None => out.push(format!("{path}/{k}: missing (dbt: {})", short(wv))),
                }
            }
            for k in g.keys().filter(|k| !w.contains_key(*k)) {
                out.push(format!("{path}/{k}: extra ({})", short(&g[k])));
            }
        }
        (J::Array(g), J::Array(w)) if g.len() == w.len() => {
            for (i, (gv, wv)) in g.iter().zip(w).enumerate() {
                json_diff(&format!("{path}/{i}"), gv, wv, out);
            }
        }
        _ if got != want => out.push(format!("{path}: {} (dbt: {})", short(got), short(want))),
        _ => {}
    }
}

fn short(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.len() > 160 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(160).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}
