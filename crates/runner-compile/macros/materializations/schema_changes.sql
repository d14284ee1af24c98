{# on_schema_change for incremental models: compare the new rows' columns with the existing table's
   and ignore, fail, add the new columns, or sync both ways. #}

{% macro incremental_validate_on_schema_change(on_schema_change, default='ignore') -%}
  {%- set allowed = ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'] -%}
  {%- if on_schema_change not in allowed -%}
    {%- if on_schema_change is not none -%}
      {%- do log("Invalid value for on_schema_change (" ~ on_schema_change ~ ") specified. Setting default value of " ~ default ~ ".", info=true) -%}
    {%- endif -%}
    {{ return(default) }}
  {%- endif -%}
  {{ return(on_schema_change) }}
{%- endmacro %}

{% macro diff_columns(source_columns, target_columns) -%}
  {%- set target_names = target_columns | map(attribute='name') | map('lower') | list -%}
  {%- set missing = [] -%}
  {%- for column in source_columns -%}
    {%- if column.name | lower not in target_names -%}{%- do missing.append(column) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(missing) }}
{%- endmacro %}

{% macro diff_column_data_types(source_columns, target_columns) -%}
  {%- set changed = [] -%}
  {%- for source in source_columns -%}
    {%- for target in target_columns -%}
      {%- if source.name | lower == target.name | lower and source.data_type | lower != target.data_type | lower -%}
        {%- do changed.append({'column_name': target.name, 'new_type': source.data_type}) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(changed) }}
{%- endmacro %}

{% macro check_for_schema_changes(source_relation, target_relation) -%}
  {%- set source_columns = adapter.get_columns_in_relation(source_relation) -%}
  {%- set target_columns = adapter.get_columns_in_relation(target_relation) -%}
  {%- set source_not_in_target = diff_columns(source_columns, target_columns) -%}
  {%- set target_not_in_source = diff_columns(target_columns, source_columns) -%}
  {%- set new_target_types = diff_column_data_types(source_columns, target_columns) -%}
  {{ return({
      'schema_changed': (source_not_in_target | length > 0) or (target_not_in_source | length > 0) or (new_target_types | length > 0),
      'source_not_in_target': source_not_in_target,
      'target_not_in_source': target_not_in_source,
      'source_columns': source_columns,
      'target_columns': target_columns,
      'new_target_types': new_target_types,
  }) }}
{%- endmacro %}

{% macro alter_relation_add_remove_columns(relation, add_columns=none, remove_columns=none) -%}
  {{ return(adapter.dispatch('alter_relation_add_remove_columns', 'dbt')(relation, add_columns, remove_columns)) }}
{%- endmacro %}

{% macro default__alter_relation_add_remove_columns(relation, add_columns, remove_columns) -%}
  {%- for column in (add_columns or []) -%}
    {% call statement('add_column') %}
      alter table {{ relation }} add column {{ adapter.quote(column.name) }} {{ column.data_type }}
    {% endcall %}
  {%- endfor -%}
  {%- for column in (remove_columns or []) -%}
    {% call statement('remove_column') %}
      alter table {{ relation }} drop column {{ adapter.quote(column.name) }}
    {% endcall %}
  {%- endfor -%}
{%- endmacro %}

{% macro alter_column_type(relation, column_name, new_column_type) -%}
  {{ return(adapter.dispatch('alter_column_type', 'dbt')(relation, column_name, new_column_type)) }}
{%- endmacro %}

{# Through a scratch column, so a type the old values cannot cast to fails before anything is lost. #}
{% macro default__alter_column_type(relation, column_name, new_column_type) -%}
  {%- set scratch = column_name ~ '__dbt_alter' -%}
  {% call statement('alter_column_type') %}
    alter table {{ relation }} add column {{ adapter.quote(scratch) }} {{ new_column_type }};
    update {{ relation }} set {{ adapter.quote(scratch) }} = {{ adapter.quote(column_name) }};
    alter table {{ relation }} drop column {{ adapter.quote(column_name) }} cascade;
    alter table {{ relation }} rename column {{ adapter.quote(scratch) }} to {{ adapter.quote(column_name) }}
  {% endcall %}
{%- endmacro %}

{% macro duckdb__alter_column_type(relation, column_name, new_column_type) -%}
  {% call statement('alter_column_type') %}
    alter table {{ relation }} alter column {{ adapter.quote(column_name) }} type {{ new_column_type }}
  {% endcall %}
{%- endmacro %}

{% macro sync_column_schemas(on_schema_change, target_relation, schema_changes) -%}
  {%- set add_to_target = schema_changes['source_not_in_target'] -%}
  {%- if on_schema_change == 'append_new_columns' -%}
    {%- if add_to_target -%}
      {%- do alter_relation_add_remove_columns(target_relation, add_to_target, none) -%}
    {%- endif -%}
  {%- elif on_schema_change == 'sync_all_columns' -%}
    {%- set remove_from_target = schema_changes['target_not_in_source'] -%}
    {%- if add_to_target or remove_from_target -%}
      {%- do alter_relation_add_remove_columns(target_relation, add_to_target, remove_from_target) -%}
    {%- endif -%}
    {%- for change in schema_changes['new_target_types'] -%}
      {%- do alter_column_type(target_relation, change['column_name'], change['new_type']) -%}
    {%- endfor -%}
  {%- endif -%}
{%- endmacro %}

{# Returns the columns to insert, or none when the caller should use the target's columns. #}
{% macro process_schema_changes(on_schema_change, source_relation, target_relation) -%}
  {%- if on_schema_change == 'ignore' -%}
    {{ return(none) }}
  {%- endif -%}
  {%- set changes = check_for_schema_changes(source_relation, target_relation) -%}
  {%- if not changes['schema_changed'] -%}
    {{ return(none) }}
  {%- endif -%}
  {%- if on_schema_change == 'fail' -%}
    {%- do exceptions.raise_compiler_error(
        "The source and target schemas on this incremental model are out of sync!\n"
        ~ "They can be reconciled in several ways:\n"
        ~ "  - set the `on_schema_change` config to either append_new_columns or sync_all_columns, depending on your situation.\n"
        ~ "  - Re-run the incremental model with `full_refresh: True` to update the target schema.\n"
        ~ "  - update the schema manually and re-run the process.\n\n"
        ~ "Additional troubleshooting context:\n"
        ~ "   Source columns not in target: " ~ changes['source_not_in_target'] ~ "\n"
        ~ "   Target columns not in source: " ~ changes['target_not_in_source'] ~ "\n"
        ~ "   New column types: " ~ changes['new_target_types']) -%}
  {%- endif -%}
  {%- do sync_column_schemas(on_schema_change, target_relation, changes) -%}
  {#- Insert what the new rows have; target columns they lack stay null. -#}
  {{ return(changes['source_columns']) }}
{%- endmacro %}
