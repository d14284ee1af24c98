{# Seeds (a CSV loaded into a table) and data tests (a query counting failing rows). #}

{% materialization seed, default %}
  {%- set full_refresh_mode = should_full_refresh() -%}
  {%- set existing_relation = adapter.get_relation(database=database, schema=schema, identifier=model['alias']) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set grant_config = config.get('grants') -%}
  {%- set agate_table = load_agate_table() -%}
  {%- do store_result('agate_table', response='OK', agate_table=agate_table) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- if existing_relation is not none and existing_relation.is_view -%}
    {{ exceptions.raise_compiler_error("Cannot seed to '" ~ existing_relation.render() ~ "', it is a view") }}
  {%- elif existing_relation is none -%}
    {%- set create_sql = create_csv_table(model, agate_table) -%}
  {%- else -%}
    {%- set create_sql = reset_csv_table(model, full_refresh_mode, existing_relation, agate_table) -%}
  {%- endif -%}

  {%- set code = 'CREATE' if full_refresh_mode else 'INSERT' -%}
  {%- set row_count = agate_table.rows | length -%}
  {%- if row_count > 0 -%}
    {%- do load_csv_rows(model, agate_table) -%}
  {%- endif -%}
  {% call noop_statement('main', code ~ ' ' ~ row_count, code, row_count) %}
    {{ create_sql }};
  {% endcall %}

  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke(existing_relation, full_refresh_mode)) %}
  {% do persist_docs(target_relation, model) %}
  {% if full_refresh_mode or existing_relation is none %}
    {% do create_indexes(target_relation) %}
  {% endif %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% macro create_csv_table(model, agate_table) -%}
  {{ return(adapter.dispatch('create_csv_table', 'dbt')(model, agate_table)) }}
{%- endmacro %}

{% macro default__create_csv_table(model, agate_table) -%}
  {%- set overrides = model['config'].get('column_types', {}) or {} -%}
  {%- set quote_config = model['config'].get('quote_columns', none) -%}
  {%- set columns = [] -%}
  {%- for name in agate_table.column_names -%}
    {%- set column_type = overrides.get(name, adapter.convert_type(agate_table, loop.index0)) -%}
    {%- do columns.append(adapter.quote_seed_column(name | string, quote_config) ~ ' ' ~ column_type) -%}
  {%- endfor -%}
  {%- set create_sql -%}
    create table {{ this.render() }} ({{ columns | join(', ') }})
  {%- endset -%}
  {% call statement('_') %}{{ create_sql }}{% endcall %}
  {{ return(create_sql) }}
{%- endmacro %}

{% macro reset_csv_table(model, full_refresh, old_relation, agate_table) -%}
  {{ return(adapter.dispatch('reset_csv_table', 'dbt')(model, full_refresh, old_relation, agate_table)) }}
{%- endmacro %}

{# A full refresh rebuilds the table (types may have changed); otherwise the rows are replaced. #}
{% macro default__reset_csv_table(model, full_refresh, old_relation, agate_table) -%}
  {%- if full_refresh -%}
    {{ adapter.drop_relation(old_relation) }}
    {{ return(create_csv_table(model, agate_table)) }}
  {%- endif -%}
  {{ adapter.truncate_relation(old_relation) }}
  {{ return("truncate table " ~ old_relation.render()) }}
{%- endmacro %}

{% macro load_csv_rows(model, agate_table) -%}
  {{ return(adapter.dispatch('load_csv_rows', 'dbt')(model, agate_table)) }}
{%- endmacro %}

{# Bulk loading (COPY on Postgres, the appender on DuckDB) instead of batched inserts. #}
{% macro default__load_csv_rows(model, agate_table) -%}
  {%- set quote_config = model['config'].get('quote_columns', none) -%}
  {%- set names = [] -%}
  {%- for name in agate_table.column_names -%}
    {%- do names.append(adapter.quote_seed_column(name | string, quote_config)) -%}
  {%- endfor -%}
  {{ return(adapter.load_seed_rows(this, names, agate_table)) }}
{%- endmacro %}

{# dbt-duckdb lets DuckDB read the file itself, so its own CSV rules decide the values there. #}
{% macro duckdb__load_csv_rows(model, agate_table) -%}
  {%- set delimiter = model['config'].get('delimiter', ',') or ',' -%}
  {% call statement('_') %}
    copy {{ this.render() }} from '{{ seed_file_path | replace("'", "''") }}' (format csv, header true, delimiter '{{ delimiter | replace("'", "''") }}')
  {% endcall %}
  {{ return(load_result('_')['response'].rows_affected) }}
{%- endmacro %}

{% materialization test, default %}
  {%- set limit = config.get('limit') -%}
  {%- set fail_calc = config.get('fail_calc', 'count(*)') -%}
  {%- set warn_if = config.get('warn_if', '!= 0') -%}
  {%- set error_if = config.get('error_if', '!= 0') -%}
  {%- set relations = [] -%}
  {%- set main_sql = sql -%}

  {%- if should_store_failures() -%}
    {%- set audit_relation = api.Relation.create(database=database, schema=schema, identifier=model['alias'], type='table') -%}
    {%- set existing = load_cached_relation(audit_relation) -%}
    {%- do adapter.create_schema(audit_relation) -%}
    {{ drop_relation_if_exists(existing) }}
    {% call statement(auto_begin=True) %}
      {{ get_create_table_as_sql(False, audit_relation, sql) }}
    {% endcall %}
    {%- do relations.append(audit_relation) -%}
    {%- set main_sql = "select * from " ~ audit_relation -%}
    {{ adapter.commit() }}
  {%- endif -%}

  {% call statement('main', fetch_result=True) -%}
    {{ get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) }}
  {%- endcall %}

  {{ return({'relations': relations}) }}
{% endmaterialization %}

{% macro get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
  {{ adapter.dispatch('get_test_sql', 'dbt')(main_sql, fail_calc, warn_if, error_if, limit) }}
{%- endmacro %}

{% macro default__get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
    select
      {{ fail_calc }} as failures,
      {{ fail_calc }} {{ warn_if }} as should_warn,
      {{ fail_calc }} {{ error_if }} as should_error
    from (
      {{ main_sql }}
      {{ "limit " ~ limit if limit is not none }}
    ) dbt_internal_test
{%- endmacro %}
