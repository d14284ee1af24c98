{# The incremental materialization: the first build (or --full-refresh) creates the table like the
   table materialization; later builds put the new rows in a temporary table and merge them in with
   the configured strategy, after reconciling columns per `on_schema_change`. #}

{% materialization incremental, default %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set temp_relation = make_temp_relation(target_relation) -%}
  {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
  {%- set backup_relation = make_backup_relation(target_relation, 'table') -%}
  {%- set full_refresh_mode = should_full_refresh() -%}
  {%- set on_schema_change = incremental_validate_on_schema_change(config.get('on_schema_change'), default='ignore') -%}
  {%- set grant_config = config.get('grants') -%}
  {%- set ns = namespace(swap=false) -%}

  {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
  {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% if existing_relation is none %}
    {%- set build_sql = get_create_table_as_sql(False, target_relation, sql) -%}
  {% elif full_refresh_mode or existing_relation.is_view %}
    {%- set build_sql = get_create_table_as_sql(False, intermediate_relation, sql) -%}
    {%- set ns.swap = true -%}
  {% else %}
    {% call statement('create_temp_relation') -%}
      {{ get_create_table_as_sql(True, temp_relation, sql) }}
    {%- endcall %}
    {%- set dest_columns = process_schema_changes(on_schema_change, temp_relation, existing_relation) -%}
    {%- if not dest_columns -%}
      {%- set dest_columns = adapter.get_columns_in_relation(existing_relation) -%}
    {%- endif -%}
    {%- set strategy = config.get('incremental_strategy') or 'default' -%}
    {%- set strategy_macro = adapter.get_incremental_strategy_macro(context, strategy) -%}
    {%- set strategy_args = {
        'target_relation': target_relation,
        'temp_relation': temp_relation,
        'unique_key': config.get('unique_key'),
        'dest_columns': dest_columns,
        'incremental_predicates': config.get('incremental_predicates'),
    } -%}
    {%- set build_sql = strategy_macro(strategy_args) -%}
  {% endif %}

  {% call statement('main') -%}
    {{ build_sql }}
  {%- endcall %}

  {% if ns.swap %}
    {% do drop_indexes_on_relation(existing_relation) %}
    {{ adapter.rename_relation(existing_relation, backup_relation) }}
    {{ adapter.rename_relation(intermediate_relation, target_relation) }}
  {% endif %}
  {% if existing_relation is none or ns.swap %}
    {% do create_indexes(target_relation) %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {% if ns.swap %}
    {{ drop_relation_if_exists(backup_relation) }}
  {% endif %}
  {% if existing_relation is not none and not ns.swap %}
    {{ drop_relation_if_exists(load_cached_relation(temp_relation)) }}
  {% endif %}

  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke(existing_relation, full_refresh_mode)) %}
  {% do persist_docs(target_relation, model) %}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% macro get_incremental_default_sql(arg_dict) -%}
  {{ return(adapter.dispatch('get_incremental_default_sql', 'dbt')(arg_dict)) }}
{%- endmacro %}

{# Postgres and DuckDB: with a unique key, replace matching rows; without one, append. #}
{% macro default__get_incremental_default_sql(arg_dict) -%}
  {%- if arg_dict['unique_key'] -%}
    {{ return(get_incremental_delete_insert_sql(arg_dict)) }}
  {%- else -%}
    {{ return(get_incremental_append_sql(arg_dict)) }}
  {%- endif -%}
{%- endmacro %}

{% macro get_incremental_append_sql(arg_dict) -%}
  {{ return(get_insert_into_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['dest_columns'])) }}
{%- endmacro %}

{% macro get_incremental_delete_insert_sql(arg_dict) -%}
  {{ return(get_delete_insert_merge_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'], arg_dict['dest_columns'], arg_dict['incremental_predicates'])) }}
{%- endmacro %}

{% macro get_incremental_merge_sql(arg_dict) -%}
  {{ return(get_merge_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'], arg_dict['dest_columns'], arg_dict['incremental_predicates'])) }}
{%- endmacro %}

{% macro get_quoted_csv(column_names) -%}
  {%- set quoted = [] -%}
  {%- for name in column_names -%}{%- do quoted.append(adapter.quote(name)) -%}{%- endfor -%}
  {{ return(quoted | join(', ')) }}
{%- endmacro %}

{% macro get_insert_into_sql(target_relation, temp_relation, dest_columns) -%}
  {%- set columns_csv = get_quoted_csv(dest_columns | map(attribute='name')) -%}
  insert into {{ target_relation }} ({{ columns_csv }})
  (
    select {{ columns_csv }}
    from {{ temp_relation }}
  )
{%- endmacro %}

{% macro get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
  {%- set columns_csv = get_quoted_csv(dest_columns | map(attribute='name')) -%}
  {%- set keys = [unique_key] if unique_key is string else unique_key -%}
  {%- if keys -%}
    {%- if keys | length == 1 and unique_key is string -%}
  delete from {{ target }}
  where ({{ keys[0] }}) in (
    select ({{ keys[0] }}) from {{ source }}
  )
    {%- else -%}
  delete from {{ target }}
  using {{ source }}
  where (
    {%- for key in keys %}
    {{ source }}.{{ key }} = {{ target }}.{{ key }}{{ " and " if not loop.last }}
    {%- endfor %}
  )
    {%- endif -%}
    {%- if incremental_predicates %}
    {%- for predicate in incremental_predicates %}
    and {{ predicate }}
    {%- endfor %}
    {%- endif %};
  {% endif %}
  insert into {{ target }} ({{ columns_csv }})
  (
    select {{ columns_csv }}
    from {{ source }}
  )
{%- endmacro %}

{% macro get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
  {%- set keys = [unique_key] if unique_key is string else (unique_key or []) -%}
  {%- set columns_csv = get_quoted_csv(dest_columns | map(attribute='name')) -%}
  {%- set conditions = [] -%}
  {%- for key in keys -%}
    {%- do conditions.append("DBT_INTERNAL_SOURCE." ~ key ~ " = DBT_INTERNAL_DEST." ~ key) -%}
  {%- endfor -%}
  {%- for predicate in (incremental_predicates or []) -%}{%- do conditions.append(predicate) -%}{%- endfor -%}
  merge into {{ target }} as DBT_INTERNAL_DEST
  using {{ source }} as DBT_INTERNAL_SOURCE
  on {{ conditions | join(' and ') if conditions else 'FALSE' }}
  {% if keys %}
  when matched then update set
    {% for column in dest_columns -%}
    {{ adapter.quote(column.name) }} = DBT_INTERNAL_SOURCE.{{ adapter.quote(column.name) }}{{ "," if not loop.last }}
    {% endfor %}
  {% endif %}
  when not matched then insert ({{ columns_csv }})
  values ({% for column in dest_columns %}DBT_INTERNAL_SOURCE.{{ adapter.quote(column.name) }}{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}
