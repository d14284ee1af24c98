{# Snapshots (type-2 history): the first build copies the query with validity columns; later builds
   stage what changed (new rows, changed rows, with `invalidate` hard deletes also vanished rows)
   and merge it in: changed rows get their `dbt_valid_to`, new versions are inserted. Strategies:
   `timestamp` (an `updated_at` column says what changed) and `check` (compare `check_cols`). #}

{% macro snapshot_column_names() -%}
  {%- set names = {'dbt_valid_to': 'dbt_valid_to', 'dbt_valid_from': 'dbt_valid_from', 'dbt_scd_id': 'dbt_scd_id', 'dbt_updated_at': 'dbt_updated_at', 'dbt_is_deleted': 'dbt_is_deleted'} -%}
  {%- for key, value in (config.get('snapshot_meta_column_names') or {}).items() -%}
    {%- if value -%}{%- do names.update({key: value}) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(names) }}
{%- endmacro %}

{% macro snapshot_hash_arguments(args) -%}
  {{ return(adapter.dispatch('snapshot_hash_arguments', 'dbt')(args)) }}
{%- endmacro %}

{% macro default__snapshot_hash_arguments(args) -%}
  md5({%- for arg in args -%}coalesce(cast({{ arg }} as varchar ), ''){% if not loop.last %} || '|' || {% endif %}{%- endfor -%})
{%- endmacro %}

{# The key as one or several `dbt_unique_key` columns, and the conditions that join on them. #}
{% macro snapshot_key_columns(unique_key) -%}
  {%- if unique_key is string -%}
    {{ return(unique_key ~ " as dbt_unique_key") }}
  {%- endif -%}
  {%- set parts = [] -%}
  {%- for key in unique_key -%}{%- do parts.append(key ~ " as dbt_unique_key_" ~ loop.index) -%}{%- endfor -%}
  {{ return(parts | join(", ")) }}
{%- endmacro %}

{% macro snapshot_key_names(unique_key) -%}
  {%- if unique_key is string -%}{{ return(['dbt_unique_key']) }}{%- endif -%}
  {%- set names = [] -%}
  {%- for key in unique_key -%}{%- do names.append("dbt_unique_key_" ~ loop.index) -%}{%- endfor -%}
  {{ return(names) }}
{%- endmacro %}

{% macro snapshot_strategy(unique_key, config_values) -%}
  {%- set strategy_name = config_values.get('strategy') -%}
  {%- set columns = snapshot_column_names() -%}
  {%- set key_expr = unique_key if unique_key is string else (unique_key | join(" || '|' || ")) -%}
  {%- if strategy_name == 'timestamp' -%}
    {%- set updated_at = config_values.get('updated_at') -%}
    {%- if not updated_at -%}
      {{ exceptions.raise_compiler_error("Snapshot uses the timestamp strategy but has no `updated_at` config") }}
    {%- endif -%}
    {%- set row_changed = "(snapshotted_data." ~ columns.dbt_valid_from ~ " < source_data." ~ updated_at ~ ")" -%}
  {%- elif strategy_name == 'check' -%}
    {%- set check_cols = config_values.get('check_cols') -%}
    {%- if check_cols == 'all' -%}
      {%- set check_cols = get_columns_in_query(sql) -%}
    {%- elif check_cols is string or not check_cols -%}
      {{ exceptions.raise_compiler_error("Snapshot uses the check strategy: `check_cols` must be a list of columns or 'all'") }}
    {%- endif -%}
    {%- set updated_at = snapshot_get_time() -%}
    {%- set changes = [] -%}
    {%- for col in check_cols -%}
      {%- do changes.append("snapshotted_data." ~ col ~ " != source_data." ~ col
          ~ " or (snapshotted_data." ~ col ~ " is null) != (source_data." ~ col ~ " is null)") -%}
    {%- endfor -%}
    {%- set row_changed = "(" ~ (changes | join(" or ")) ~ ")" -%}
  {%- else -%}
    {{ exceptions.raise_compiler_error("Unknown snapshot strategy '" ~ strategy_name ~ "' (use timestamp or check)") }}
  {%- endif -%}
  {%- set hard_deletes = config_values.get('hard_deletes') or ('invalidate' if config_values.get('invalidate_hard_deletes') else 'ignore') -%}
  {%- if hard_deletes not in ('ignore', 'invalidate') -%}
    {{ exceptions.raise_compiler_error("hard_deletes: '" ~ hard_deletes ~ "' is not supported by runner yet (ignore and invalidate are)") }}
  {%- endif -%}
  {{ return({
      'unique_key': unique_key,
      'updated_at': updated_at,
      'row_changed': row_changed,
      'scd_id': snapshot_hash_arguments([key_expr, updated_at]),
      'hard_deletes': hard_deletes,
  }) }}
{%- endmacro %}

{% macro get_columns_in_query(select_sql) -%}
  {% call statement('get_columns_in_query', fetch_result=True, auto_begin=False) -%}
    select * from ({{ select_sql }}) as __dbt_sbq where false limit 0
  {%- endcall %}
  {{ return(load_result('get_columns_in_query').table.columns | map(attribute='name') | list) }}
{%- endmacro %}

{% macro build_snapshot_table(strategy, sql) -%}
  {%- set columns = snapshot_column_names() -%}
  select *,
      {{ strategy.scd_id }} as {{ columns.dbt_scd_id }},
      {{ strategy.updated_at }} as {{ columns.dbt_updated_at }},
      {{ strategy.updated_at }} as {{ columns.dbt_valid_from }},
      nullif({{ strategy.updated_at }}, {{ strategy.updated_at }}) as {{ columns.dbt_valid_to }}
  from (
      {{ sql }}
  ) sbq
{%- endmacro %}

{% macro snapshot_staging_table(strategy, source_sql, target_relation) -%}
  {%- set columns = snapshot_column_names() -%}
  {%- set keys = snapshot_key_names(strategy.unique_key) -%}
  {%- set joined = [] -%}
  {%- for k in keys -%}{%- do joined.append("snapshotted_data." ~ k ~ " = source_data." ~ k) -%}{%- endfor -%}
  with snapshot_query as (
      {{ source_sql }}
  ),
  snapshotted_data as (
      select *, {{ snapshot_key_columns(strategy.unique_key) }}
      from {{ target_relation }}
      where {{ columns.dbt_valid_to }} is null
  ),
  insertions_source_data as (
      select *, {{ snapshot_key_columns(strategy.unique_key) }},
          {{ strategy.updated_at }} as {{ columns.dbt_updated_at }},
          {{ strategy.updated_at }} as {{ columns.dbt_valid_from }},
          nullif({{ strategy.updated_at }}, {{ strategy.updated_at }}) as {{ columns.dbt_valid_to }},
          {{ strategy.scd_id }} as {{ columns.dbt_scd_id }}
      from snapshot_query
  ),
  updates_source_data as (
      select *, {{ snapshot_key_columns(strategy.unique_key) }},
          {{ strategy.updated_at }} as {{ columns.dbt_updated_at }},
          {{ strategy.updated_at }} as {{ columns.dbt_valid_from }},
          {{ strategy.updated_at }} as {{ columns.dbt_valid_to }}
      from snapshot_query
  ),
  insertions as (
      select 'insert' as dbt_change_type, source_data.*
      from insertions_source_data as source_data
      left outer join snapshotted_data on {{ joined | join(' and ') }}
      where snapshotted_data.{{ keys[0] }} is null
         or (snapshotted_data.{{ keys[0] }} is not null and {{ strategy.row_changed }})
  ),
  updates as (
      select 'update' as dbt_change_type, source_data.*, snapshotted_data.{{ columns.dbt_scd_id }}
      from updates_source_data as source_data
      join snapshotted_data on {{ joined | join(' and ') }}
      where {{ strategy.row_changed }}
  )
  {%- if strategy.hard_deletes == 'invalidate' %},
  deletes_source_data as (
      select *, {{ snapshot_key_columns(strategy.unique_key) }}
      from snapshot_query
  ),
  deletes as (
      select 'delete' as dbt_change_type, source_data.*,
          {{ snapshot_get_time() }} as {{ columns.dbt_valid_from }},
          {{ snapshot_get_time() }} as {{ columns.dbt_updated_at }},
          {{ snapshot_get_time() }} as {{ columns.dbt_valid_to }},
          snapshotted_data.{{ columns.dbt_scd_id }}
      from snapshotted_data
      left join deletes_source_data as source_data on {{ joined | join(' and ') }}
      where source_data.{{ keys[0] }} is null
  )
  {%- endif %}
  select * from insertions
  union all
  select * from updates
  {%- if strategy.hard_deletes == 'invalidate' %}
  union all
  select * from deletes
  {%- endif %}
{%- endmacro %}

{% macro snapshot_merge_sql(target, source, insert_cols) -%}
  {{ adapter.dispatch('snapshot_merge_sql', 'dbt')(target, source, insert_cols) }}
{%- endmacro %}

{% macro default__snapshot_merge_sql(target, source, insert_cols) -%}
  {%- set columns = snapshot_column_names() -%}
  update {{ target }} as DBT_INTERNAL_TARGET
  set {{ columns.dbt_valid_to }} = DBT_INTERNAL_SOURCE.{{ columns.dbt_valid_to }}
  from {{ source }} as DBT_INTERNAL_SOURCE
  where DBT_INTERNAL_SOURCE.{{ columns.dbt_scd_id }} = DBT_INTERNAL_TARGET.{{ columns.dbt_scd_id }}
    and DBT_INTERNAL_SOURCE.dbt_change_type in ('update', 'delete')
    and DBT_INTERNAL_TARGET.{{ columns.dbt_valid_to }} is null;

  insert into {{ target }} ({{ insert_cols | join(', ') }})
  select {% for column in insert_cols %}DBT_INTERNAL_SOURCE.{{ column }}{{ ", " if not loop.last }}{% endfor %}
  from {{ source }} as DBT_INTERNAL_SOURCE
  where DBT_INTERNAL_SOURCE.dbt_change_type = 'insert'
{%- endmacro %}

{% materialization snapshot, default %}
  {%- set config_values = model['config'] -%}
  {%- set unique_key = config_values.get('unique_key') -%}
  {%- if not unique_key -%}
    {{ exceptions.raise_compiler_error("Snapshot " ~ model['name'] ~ " needs a `unique_key` config") }}
  {%- endif -%}
  {%- set existing_relation = adapter.get_relation(database=model.database, schema=model.schema, identifier=model.alias) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set grant_config = config.get('grants') -%}
  {%- if existing_relation is not none and not existing_relation.is_table -%}
    {{ exceptions.raise_compiler_error("Snapshot target " ~ existing_relation ~ " is a " ~ existing_relation.type ~ ", not a table") }}
  {%- endif -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- set strategy = snapshot_strategy(unique_key, config_values) -%}
  {%- set staging_relation = none -%}
  {%- if existing_relation is none -%}
    {%- set final_sql = get_create_table_as_sql(False, target_relation, build_snapshot_table(strategy, sql)) -%}
  {%- else -%}
    {%- set staging_relation = make_temp_relation(target_relation) -%}
    {% call statement('build_snapshot_staging_relation') %}
      {{ get_create_table_as_sql(True, staging_relation, snapshot_staging_table(strategy, sql, target_relation)) }}
    {% endcall %}
    {%- set internal = ['dbt_change_type', 'DBT_CHANGE_TYPE'] + snapshot_key_names(unique_key) -%}
    {%- set missing = [] -%}
    {%- for column in adapter.get_missing_columns(staging_relation, target_relation) -%}
      {%- if column.name not in internal and column.name | lower not in internal -%}{%- do missing.append(column) -%}{%- endif -%}
    {%- endfor -%}
    {%- for column in missing -%}
      {% call statement('add_snapshot_column') %}
        alter table {{ target_relation }} add column {{ adapter.quote(column.name) }} {{ column.data_type }}
      {% endcall %}
    {%- endfor -%}
    {%- set insert_cols = [] -%}
    {%- for column in adapter.get_columns_in_relation(target_relation) -%}
      {%- do insert_cols.append(adapter.quote(column.name)) -%}
    {%- endfor -%}
    {%- set final_sql = snapshot_merge_sql(target_relation, staging_relation, insert_cols) -%}
  {%- endif -%}

  {% call statement('main') %}
    {{ final_sql }}
  {% endcall %}

  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke(existing_relation, False)) %}
  {% do persist_docs(target_relation, model) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {%- if staging_relation is not none -%}
    {{ drop_relation_if_exists(staging_relation) }}
  {%- endif -%}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
