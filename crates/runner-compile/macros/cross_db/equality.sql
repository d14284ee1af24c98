{# dbt.equals(expr1, expr2): plain `=` unless the project opts into null-safe equality with the
   enable_truthy_nulls_equals_macro behavior flag (then nulls compare equal). #}

{% macro equals(expr1, expr2) -%}
  {{ return(adapter.dispatch('equals', 'dbt')(expr1, expr2)) }}
{%- endmacro %}

{# The behavior flag, false where the adapter object does not expose behavior flags. #}
{% macro _runner_truthy_nulls_equals() -%}
  {%- set behavior = adapter.behavior -%}
  {%- if behavior is defined and behavior is not none -%}
    {{ return(behavior.enable_truthy_nulls_equals_macro.no_warn) }}
  {%- endif -%}
  {{ return(false) }}
{%- endmacro %}

{% macro default__equals(expr1, expr2) -%}
  {%- if dbt._runner_truthy_nulls_equals() %}
    case when (({{ expr1 }} = {{ expr2 }}) or ({{ expr1 }} is null and {{ expr2 }} is null))
        then 0
        else 1
    end = 0
{%- else -%}
  ({{ expr1 }} = {{ expr2 }})
{%- endif %}
{% endmacro %}

{% macro postgres__equals(expr1, expr2) -%}
  {%- if dbt._runner_truthy_nulls_equals() %}
    ({{ expr1 }} IS NOT DISTINCT FROM {{ expr2 }})
{%- else -%}
  ({{ expr1 }} = {{ expr2 }})
{%- endif -%}
{%- endmacro %}
