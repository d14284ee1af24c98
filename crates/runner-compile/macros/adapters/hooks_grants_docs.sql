{# What every materialization does around its main statement: hooks, grants and persisted docs. #}

{# Hooks come from config as {sql, transaction, index}; their SQL is a template rendered now, so
   `{{ this }}` in a hook names the relation being built. #}
{% macro run_hooks(hooks, inside_transaction=True) -%}
  {%- set ns = namespace(committed=false) -%}
  {%- for hook in hooks -%}
    {%- if hook.get('transaction', true) == inside_transaction -%}
      {%- if not inside_transaction and not ns.committed -%}
        {#- Hooks outside the transaction run after what the model did is committed. -#}
        {%- do adapter.commit() -%}
        {%- set ns.committed = true -%}
      {%- endif -%}
      {%- set rendered = render(hook.get('sql')) | trim -%}
      {%- if rendered | length > 0 -%}
        {% call statement(auto_begin=inside_transaction) %}{{ rendered }}{% endcall %}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
{%- endmacro %}

{% macro apply_grants(relation, grant_config, should_revoke=True) -%}
  {{ adapter.dispatch('apply_grants', 'dbt')(relation, grant_config, should_revoke) }}
{%- endmacro %}

{# A rebuilt relation starts without grants, so granting what config asks is enough there. #}
{% macro default__apply_grants(relation, grant_config, should_revoke=True) -%}
  {%- if grant_config -%}
    {%- for privilege, grantees in grant_config.items() -%}
      {%- set grantees = [grantees] if grantees is string else grantees -%}
      {%- if grantees | length > 0 -%}
        {% call statement('grant_' ~ privilege) %}
          grant {{ privilege }} on {{ relation }} to {{ grantees | join(', ') }};
        {% endcall %}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
{%- endmacro %}

{% macro duckdb__apply_grants(relation, grant_config, should_revoke=True) -%}
  {#- DuckDB has no privileges: dbt-duckdb ignores grants too. -#}
{%- endmacro %}

{% macro should_revoke(existing_relation, full_refresh_mode=True) -%}
  {{ return(existing_relation is not none and not full_refresh_mode) }}
{%- endmacro %}

{% macro persist_docs(relation, model, for_relation=true, for_columns=true) -%}
  {{ adapter.dispatch('persist_docs', 'dbt')(relation, model, for_relation, for_columns) }}
{%- endmacro %}

{% macro default__persist_docs(relation, model, for_relation, for_columns) -%}
  {%- if for_relation and config.persist_relation_docs() and model.description -%}
    {% call statement('persist_relation_docs') %}
      comment on {{ relation.type if relation.type in ('table', 'view') else 'table' }} {{ relation }} is {{ "'" ~ (model.description | replace("'", "''")) ~ "'" }};
    {% endcall %}
  {%- endif -%}
  {%- if for_columns and config.persist_column_docs() and model.columns -%}
    {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- for name, column in model.columns.items() -%}
      {%- if name | lower in existing and column.get('description') -%}
        {% call statement('persist_column_docs') %}
          comment on column {{ relation }}.{{ adapter.quote(name) if column.get('quote') else name }} is {{ "'" ~ (column.get('description') | replace("'", "''")) ~ "'" }};
        {% endcall %}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
{%- endmacro %}
