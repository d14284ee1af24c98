{# Arrays: dbt.array_construct, dbt.array_append and dbt.array_concat. Postgres and DuckDB share the
   array[...] syntax; Redshift builds SUPER arrays with array(...) and has no array_append. All elements
   must share one type. #}

{% macro array_construct(inputs=[], data_type=api.Column.translate_type('integer')) -%}
  {{ return(adapter.dispatch('array_construct', 'dbt')(inputs, data_type)) }}
{%- endmacro %}

{% macro default__array_construct(inputs, data_type) -%}
  {%- if inputs | length > 0 -%}
    {%- set literal = 'array[ ' ~ (inputs | join(' , ')) ~ ' ]' -%}
  {%- else -%}
    {#- an empty array needs its element type spelled out -#}
    {%- set literal = 'array[]::' ~ data_type ~ '[]' -%}
  {%- endif -%}
  {{ return('\n    ' ~ literal ~ '\n    ') }}
{%- endmacro %}

{% macro redshift__array_construct(inputs, data_type) -%}
  array( {{ inputs | join(' , ') }} )
{%- endmacro %}

{% macro array_append(array, new_element) -%}
  {{ return(adapter.dispatch('array_append', 'dbt')(array, new_element)) }}
{%- endmacro %}

{% macro default__array_append(array, new_element) -%}
  array_append({{ array }}, {{ new_element }})
{%- endmacro %}

{% macro redshift__array_append(array, new_element) -%}
  {{ return(array_concat(array, array_construct([new_element]))) }}
{%- endmacro %}

{% macro array_concat(array_1, array_2) -%}
  {{ return(adapter.dispatch('array_concat', 'dbt')(array_1, array_2)) }}
{%- endmacro %}

{% macro default__array_concat(array_1, array_2) -%}
  array_cat({{ array_1 }}, {{ array_2 }})
{%- endmacro %}

{% macro redshift__array_concat(array_1, array_2) -%}
  array_concat({{ array_1 }}, {{ array_2 }})
{%- endmacro %}
