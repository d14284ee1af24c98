{# Literals: dbt.string_literal (a quoted SQL string) and dbt.escape_single_quotes (doubles each '). #}

{% macro string_literal(value) -%}
  {{ return(adapter.dispatch('string_literal', 'dbt')(value)) }}
{%- endmacro %}

{% macro default__string_literal(value) -%}
  '{{ value }}'
{%- endmacro %}

{% macro escape_single_quotes(expression) -%}
  {{ return(adapter.dispatch('escape_single_quotes', 'dbt')(expression)) }}
{%- endmacro %}

{% macro default__escape_single_quotes(expression) -%}
  {{ expression | replace("'", "''") }}
{%- endmacro %}
