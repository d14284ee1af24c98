//! Bad input gets a short error naming the file (and line), exit code 2, and no database work: one test
//! per kind of mistake, each on a mutated copy of the `shop` fixture.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{fixture_copy, runner};

/// Asserts the run failed with exit code 2 and a short, user-facing message; returns stderr.
fn user_error(out: Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr:\n{err}");
    assert!(err.lines().count() < 25, "stderr too long:\n{err}");
    for noise in [
        "panicked",
        "stack backtrace",
        "RUST_BACKTRACE",
        "Some(",
        " { ",
    ] {
        assert!(!err.contains(noise), "stderr contains `{noise}`:\n{err}");
    }
    assert!(err.contains("Error: "), "{err}");
    err
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A profiles dir `p/` inside the project holding `text` as profiles.yml.
fn profiles(dir: &Path, text: &str) {
    write(dir, "p/profiles.yml", text);
}

const DUCKDB_PROFILE: &str =
    "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: x.duckdb\n";

fn assert_has(err: &str, parts: &[&str]) {
    for p in parts {
        assert!(err.contains(p), "expected `{p}` in stderr:\n{err}");
    }
}

#[test]
fn malformed_dbt_project_yml_names_file_and_line() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "dbt_project.yml",
        "name: shop\nversion: \"1.0.0\"\nprofile: shop\nmodels:\n  shop:\n    +materialized: view\n   marts: {}\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["dbt_project.yml:7", "invalid YAML"]);
    assert!(!err.contains("./dbt_project.yml"), "{err}");
}

#[test]
fn malformed_property_file_bad_indent_names_file_and_line() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/schema.yml",
        "version: 2\nmodels:\n  - name: people\n   description: x\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["models/schema.yml:4", "invalid YAML"]);
}

#[test]
fn malformed_property_file_unclosed_quote_names_file_and_line() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/schema.yml",
        "version: 2\nmodels:\n  - name: people\n    description: \"one row\n    columns: []\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["models/schema.yml:", "invalid YAML"]);
}

#[test]
fn malformed_profiles_yml_names_file_and_line() {
    let dir = fixture_copy("shop");
    profiles(
        dir.path(),
        "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n     path: x\n",
    );
    let err = user_error(runner(dir.path(), &["parse", "--profiles-dir", "p"]));
    assert_has(&err, &["p/profiles.yml:6", "invalid YAML"]);
}

#[test]
fn property_file_with_models_as_a_string_says_what_is_wrong() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/schema.yml",
        "version: 2\nmodels: people\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["models/schema.yml", "`models` must be a list"]);
}

#[test]
fn property_file_model_without_name_says_what_is_wrong() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/schema.yml",
        "version: 2\nmodels:\n  - description: no name here\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["models/schema.yml", "has no `name`"]);
}

#[test]
fn unknown_ref_names_model_file_and_missing_name() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/bad.sql",
        "select 1 as x\nunion all\nselect * from {{ ref('nope') }}\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["models/bad.sql", "model.shop.bad", "'nope'"]);
}

#[test]
fn unknown_source_names_model_file_and_missing_source() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/bad.sql",
        "select * from {{ source('x', 'y') }}\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["models/bad.sql", "model.shop.bad", "'x.y'"]);
}

#[test]
fn ref_to_a_disabled_model_says_it_is_disabled() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/switched_off.sql",
        "{{ config(enabled=false) }}\nselect 1 as x\n",
    );
    write(
        dir.path(),
        "models/bad.sql",
        "select * from {{ ref('switched_off') }}\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    // dbt-core 1.12: "depends on a node named 'switched_off' which is disabled".
    assert_has(
        &err,
        &[
            "models/bad.sql",
            "model.shop.bad",
            "'switched_off' which is disabled",
        ],
    );
}

#[test]
fn source_to_a_disabled_table_says_it_is_disabled() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/off_sources.yml",
        "sources:\n  - name: raw_off\n    tables:\n      - name: gone\n        config:\n          enabled: false\n",
    );
    write(
        dir.path(),
        "models/bad.sql",
        "select * from {{ source('raw_off', 'gone') }}\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    // dbt-core 1.12: "depends on a source named 'raw_off.gone' which is disabled".
    assert_has(
        &err,
        &[
            "models/bad.sql",
            "model.shop.bad",
            "'raw_off.gone' which is disabled",
        ],
    );
}

#[test]
fn cycle_of_two_models_prints_its_path() {
    let dir = fixture_copy("shop");
    write(dir.path(), "models/a.sql", "select * from {{ ref('b') }}\n");
    write(dir.path(), "models/b.sql", "select * from {{ ref('a') }}\n");
    let err = user_error(runner(dir.path(), &["compile"]));
    assert_has(&err, &["model.shop.a -> model.shop.b -> model.shop.a"]);
    assert!(!dir.path().join("target/compiled").exists());
}

#[test]
fn cycle_of_three_models_prints_its_path_for_ls_too() {
    let dir = fixture_copy("shop");
    write(dir.path(), "models/a.sql", "select * from {{ ref('b') }}\n");
    write(dir.path(), "models/b.sql", "select * from {{ ref('c') }}\n");
    write(dir.path(), "models/c.sql", "select * from {{ ref('a') }}\n");
    let expected = "model.shop.a -> model.shop.c -> model.shop.b -> model.shop.a";
    let err = user_error(runner(dir.path(), &["compile"]));
    assert_has(&err, &[expected]);
    let err = user_error(runner(dir.path(), &["ls"]));
    assert_has(&err, &[expected]);
}

#[test]
fn unclosed_if_in_a_model_shows_file_line_and_source() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/bad.sql",
        "select 1 as x\n{% if var('flag', true) %}\nwhere true\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(
        &err,
        &["models/bad.sql:3", "'endif'", "{% if var('flag', true) %}"],
    );
    // The file is named once, not once by the engine and again by the template.
    assert!(!err.contains("models/bad.sql: models/bad.sql"), "{err}");
}

#[test]
fn broken_expression_in_a_model_shows_file_line_and_source() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/bad.sql",
        "select 1 as x,\n  {{ 1 + }} as y\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["models/bad.sql:2", "{{ 1 + }} as y"]);
}

#[test]
fn syntax_error_in_a_macro_file_shows_file_line_and_source() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "macros/helpers.sql",
        "{% macro cents(x) %}\n  {{ x + }} * 100\n{% endmacro %}\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["macros/helpers.sql:2", "{{ x + }} * 100"]);
}

#[test]
fn unclosed_block_in_a_macro_file_shows_file_and_line() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "macros/helpers.sql",
        "{% macro m() %}\n{% if x %}\nselect 1\n{% endmacro %}\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["macros/helpers.sql:4", "'endif'"]);
}

#[test]
fn undefined_macro_names_file_line_and_name() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/bad.sql",
        "select 1 as x,\n  {{ no_such_macro() }} as y\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["models/bad.sql:2", "'no_such_macro' is undefined"]);
}

#[test]
fn undefined_macro_reached_only_at_compile_names_file_line_and_name() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/bad.sql",
        "select 1 as x\n{% if execute %}, {{ no_such_macro() }} as y{% endif %}\n",
    );
    let err = user_error(runner(dir.path(), &["compile"]));
    assert_has(&err, &["models/bad.sql:2", "'no_such_macro' is undefined"]);
}

#[test]
fn profile_missing_from_profiles_yml_names_profile_and_file() {
    let dir = fixture_copy("shop");
    profiles(dir.path(), &DUCKDB_PROFILE.replace("shop:", "other:"));
    let err = user_error(runner(dir.path(), &["parse", "--profiles-dir", "p"]));
    assert_has(
        &err,
        &["p/profiles.yml", "profile `shop` not found", "other"],
    );
}

#[test]
fn unknown_target_names_target_profile_and_file() {
    let dir = fixture_copy("shop");
    profiles(dir.path(), DUCKDB_PROFILE);
    let err = user_error(runner(
        dir.path(),
        &["parse", "--profiles-dir", "p", "--target", "nope"],
    ));
    assert_has(
        &err,
        &[
            "p/profiles.yml",
            "target `nope` not found in profile `shop`",
            "dev",
        ],
    );
}

#[test]
fn unknown_profile_flag_names_profile_and_file() {
    let dir = fixture_copy("shop");
    profiles(dir.path(), DUCKDB_PROFILE);
    let err = user_error(runner(
        dir.path(),
        &["parse", "--profiles-dir", "p", "--profile", "nope"],
    ));
    assert_has(
        &err,
        &["p/profiles.yml", "profile `nope` not found", "shop"],
    );
}

#[test]
fn missing_env_var_in_a_model_names_variable_and_file() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/bad.sql",
        "select '{{ env_var('RUNNER_TEST_MISSING') }}' as x\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["models/bad.sql:1", "'RUNNER_TEST_MISSING'"]);
}

#[test]
fn missing_env_var_in_profiles_yml_names_variable_file_and_key() {
    let dir = fixture_copy("shop");
    profiles(
        dir.path(),
        &DUCKDB_PROFILE.replace("x.duckdb", "\"{{ env_var('RUNNER_TEST_MISSING') }}\""),
    );
    let err = user_error(runner(dir.path(), &["parse", "--profiles-dir", "p"]));
    assert_has(
        &err,
        &[
            "p/profiles.yml:6",
            "shop.outputs.dev.path",
            "'RUNNER_TEST_MISSING'",
        ],
    );
    assert!(!err.contains("<yaml>"), "{err}");
}

#[test]
fn missing_env_var_in_dbt_project_yml_names_variable_and_file() {
    let dir = fixture_copy("shop");
    let project = std::fs::read_to_string(dir.path().join("dbt_project.yml")).unwrap();
    write(
        dir.path(),
        "dbt_project.yml",
        &project.replace(
            "profile: shop",
            "profile: \"{{ env_var('RUNNER_TEST_MISSING') }}\"",
        ),
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["dbt_project.yml:3", "'RUNNER_TEST_MISSING'"]);
}

#[test]
fn python_model_is_refused_clearly() {
    let dir = fixture_copy("shop");
    write(
        dir.path(),
        "models/x.py",
        "def model(dbt, session):\n    return dbt.ref('people')\n",
    );
    let err = user_error(runner(dir.path(), &["parse"]));
    assert_has(&err, &["models/x.py", "Python models are not supported"]);
}

/// `runner <args>` in `project` with extra environment variables.
fn runner_with_env(project: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(args)
        .current_dir(project)
        .env("HOME", project)
        .env_remove("DBT_PROFILES_DIR")
        .env_remove("DBT_PROJECT_DIR")
        .env_remove("DBT_TARGET_PATH")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn secret_env_var_value_never_reaches_the_output() {
    let dir = fixture_copy("shop");
    // The secret feeds a broken template whose error would otherwise quote the value.
    profiles(
        dir.path(),
        "shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: localhost\n      user: u\n      password: \"{{ env_var('DBT_ENV_SECRET_PW') }}\"\n      port: \"{{ {'a': 1}[env_var('DBT_ENV_SECRET_PW')] + 1 }}\"\n      dbname: d\n",
    );
    for args in [
        &["parse", "--profiles-dir", "p"][..],
        &["parse", "--profiles-dir", "p", "--target", "nope"][..],
    ] {
        let out = runner_with_env(dir.path(), args, &[("DBT_ENV_SECRET_PW", "hunter2-secret")]);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let err = user_error(out);
        assert_has(&err, &["p/profiles.yml"]);
        assert!(!err.contains("hunter2-secret"), "{err}");
        assert!(!stdout.contains("hunter2-secret"), "{stdout}");
    }
}

#[test]
fn profiles_dir_without_profiles_yml_is_an_error_not_a_fallback() {
    let dir = fixture_copy("shop");
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let err = user_error(runner(dir.path(), &["parse", "--profiles-dir", "empty"]));
    assert_has(&err, &["empty/profiles.yml: not found"]);
    assert!(!dir.path().join("target").exists());
}

#[test]
fn target_flag_without_any_profiles_yml_is_an_error_not_a_fallback() {
    let dir = fixture_copy("shop");
    let err = user_error(runner(dir.path(), &["parse", "--target", "prod"]));
    assert_has(&err, &["--target prod", "no profiles.yml found"]);
}
