{# Aggregates: dbt.any_value (min() on Postgres, arbitrary() on DuckDB), dbt.bool_or and dbt.listagg
   (string_agg on Postgres and DuckDB, listagg with a regex for the limit on Redshift). #}

{% macro any_value(expression) -%}
  {{ return(adapter.dispatch('any_value', 'dbt')(expression)) }}
{%- endmacro %}

{% macro default__any_value(expression) -%}
  any_value({{ expression }})
{%- endmacro %}

{% macro postgres__any_value(expression) -%}
  min({{ expression }})
{%- endmacro %}

{% macro duckdb__any_value(expression) -%}
  arbitrary({{ expression }})
{%- endmacro %}

{% macro bool_or(expression) -%}
  {{ return(adapter.dispatch('bool_or', 'dbt')(expression)) }}
{%- endmacro %}

{% macro default__bool_or(expression) -%}
  bool_or({{ expression }})
{%- endmacro %}

{# ---- listagg(measure, delimiter_text, order_by_clause, limit_num) ---- #}
{% macro listagg(measure, delimiter_text="','", order_by_clause=none, limit_num=none) -%}
  {{ return(adapter.dispatch('listagg', 'dbt')(measure, delimiter_text, order_by_clause, limit_num)) }}
{%- endmacro %}

{# `name(measure, delimiter)` followed by `within group (order by …)` when ordered. #}
{% macro _runner_listagg_call(measure, delimiter_text, order_by_clause) -%}
  {%- set ordering = ('within group (' ~ order_by_clause ~ ')') if order_by_clause else '' -%}
  {{ return('\n    listagg(\n        ' ~ measure ~ ',\n        ' ~ delimiter_text ~ '\n        )\n        ' ~ ordering) }}
{%- endmacro %}

{% macro default__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- if not limit_num -%}
    {{ return(dbt._runner_listagg_call(measure, delimiter_text, order_by_clause)) }}
  {%- endif -%}
  {%- set ordering = ('within group (' ~ order_by_clause ~ ')') if order_by_clause else '' -%}
array_to_string(
        array_slice(
            array_agg(
                {{ measure }}
            ){{ ordering }}
            ,0
            ,{{ limit_num }}
        ),
        {{ delimiter_text }}
        )
{%- endmacro %}

{# string_agg(measure, delimiter order by …): the unlimited form on Postgres and DuckDB. #}
{% macro _runner_string_agg(measure, delimiter_text, order_by_clause) -%}
  {{ return('\n    string_agg(\n        ' ~ measure ~ ',\n        ' ~ delimiter_text ~ '\n        '
            ~ (order_by_clause or '') ~ '\n        )') }}
{%- endmacro %}

{# The first limit_num aggregated values, as a list slice. #}
{% macro _runner_array_agg_head(measure, order_by_clause, limit_num) -%}
  {{ return('(array_agg(\n            ' ~ measure ~ '\n            ' ~ (order_by_clause or '')
            ~ '\n        ))[1:' ~ limit_num ~ ']') }}
{%- endmacro %}

{% macro postgres__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- if not limit_num -%}
    {{ return(dbt._runner_string_agg(measure, delimiter_text, order_by_clause)) }}
  {%- endif -%}
array_to_string(
        {{ dbt._runner_array_agg_head(measure, order_by_clause, limit_num) }},
        {{ delimiter_text }}
        )
{%- endmacro %}

{% macro duckdb__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- if not limit_num -%}
    {{ return(dbt._runner_string_agg(measure, delimiter_text, order_by_clause)) }}
  {%- endif -%}
list_aggr(
        {{ dbt._runner_array_agg_head(measure, order_by_clause, limit_num) }},
        'string_agg',
        {{ delimiter_text }}
        )
{%- endmacro %}

{# Redshift's listagg has no limit: keep the first limit_num delimited values with a regular expression
   (so the values themselves must not contain the delimiter). #}
{% macro redshift__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- if not limit_num -%}
    {{ return(dbt._runner_listagg_call(measure, delimiter_text, order_by_clause)) }}
  {%- endif -%}
  {%- set ns = namespace(delimiter=delimiter_text | trim("'")) -%}
  {%- for special in ['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}'] -%}
    {%- set ns.delimiter = ns.delimiter | replace(special, '\\\\' ~ special) -%}
  {%- endfor -%}
  {%- set d = ns.delimiter -%}
  {%- set regex = "'([^" ~ d ~ "]+" ~ d ~ "){1," ~ (limit_num - 1) ~ "}[^" ~ d ~ "]+'" -%}
  {%- set ordering = ('within group (' ~ order_by_clause ~ ')') if order_by_clause else '' -%}
  {{- '\n    \n    ' ~ ('\n        ' * 14) }}
    regexp_substr(
        listagg(
            {{ measure }},
            {{ delimiter_text }}
            )
            {{ ordering }}
        ,{{ regex }}
        )
{%- endmacro %}
