{# String functions: dbt.split_part, dbt.concat, dbt.hash, dbt.position, dbt.replace, dbt.right and
   dbt.length. Postgres and Redshift count negative split_part positions from the end by hand; DuckDB
   indexes string_split's list; Redshift spells length len. #}

{# ---- split_part(string_text, delimiter_text, part_number) ---- #}
{% macro split_part(string_text, delimiter_text, part_number) %}
  {{- return(adapter.dispatch('split_part', 'dbt')(string_text, delimiter_text, part_number)) -}}
{% endmacro %}

{% macro default__split_part(string_text, delimiter_text, part_number) %}

    split_part(
        {{ string_text }},
        {{ delimiter_text }},
        {{ part_number }}
        )

{% endmacro %}

{# A negative part counts from the end: the number of delimiters, plus two, plus part_number. #}
{% macro _split_part_negative(string_text, delimiter_text, part_number) %}

    split_part(
        {{ string_text }},
        {{ delimiter_text }},
          length({{ string_text }})
          - length(
              replace({{ string_text }},  {{ delimiter_text }}, '')
          ) + 2 + {{ part_number }}
        )

{% endmacro %}

{% macro _runner_split_part_signed(string_text, delimiter_text, part_number) -%}
  {%- set impl = dbt.default__split_part if part_number >= 0 else dbt._split_part_negative -%}
  {{ return('\n\n  \n    ' ~ impl(string_text, delimiter_text, part_number) ~ '\n  \n\n') }}
{%- endmacro %}

{% macro postgres__split_part(string_text, delimiter_text, part_number) -%}
  {{ return(dbt._runner_split_part_signed(string_text, delimiter_text, part_number)) }}
{%- endmacro %}

{% macro redshift__split_part(string_text, delimiter_text, part_number) -%}
  {{ return(dbt._runner_split_part_signed(string_text, delimiter_text, part_number)) }}
{%- endmacro %}

{% macro duckdb__split_part(string_text, delimiter_text, part_number) -%}
  {{ return('\n    string_split(' ~ string_text ~ ', ' ~ delimiter_text ~ ')[ ' ~ part_number ~ ' ]\n') }}
{%- endmacro %}

{# ---- concat(fields) ---- #}
{% macro concat(fields) -%}
  {{ return(adapter.dispatch('concat', 'dbt')(fields)) }}
{%- endmacro %}

{% macro default__concat(fields) -%}
  {{ fields | join(' || ') }}
{%- endmacro %}

{# ---- hash(field): md5 of the text form ---- #}
{% macro hash(field) -%}
  {{ return(adapter.dispatch('hash', 'dbt')(field)) }}
{%- endmacro %}

{% macro default__hash(field) -%}
  md5(cast({{ field }} as {{ api.Column.translate_type('string') }}))
{%- endmacro %}

{# ---- position(substring_text, string_text) ---- #}
{% macro position(substring_text, string_text) -%}
  {{ return(adapter.dispatch('position', 'dbt')(substring_text, string_text)) }}
{%- endmacro %}

{% macro default__position(substring_text, string_text) %}

    position(
        {{ substring_text }} in {{ string_text }}
    )
{%- endmacro %}

{# ---- replace(field, old_chars, new_chars) ---- #}
{% macro replace(field, old_chars, new_chars) -%}
  {{ return(adapter.dispatch('replace', 'dbt')(field, old_chars, new_chars)) }}
{%- endmacro %}

{% macro default__replace(field, old_chars, new_chars) %}

    replace(
        {{ field }},
        {{ old_chars }},
        {{ new_chars }}
    )


{% endmacro %}

{# ---- right(string_text, length_expression) ---- #}
{% macro right(string_text, length_expression) -%}
  {{ return(adapter.dispatch('right', 'dbt')(string_text, length_expression)) }}
{%- endmacro %}

{% macro default__right(string_text, length_expression) %}

    right(
        {{ string_text }},
        {{ length_expression }}
    )
{%- endmacro %}

{# ---- length(expression) ---- #}
{% macro length(expression) -%}
  {{ return(adapter.dispatch('length', 'dbt')(expression)) }}
{%- endmacro %}

{% macro _runner_length_call(function, expression) -%}
  {{ return('\n\n    ' ~ function ~ '(\n        ' ~ expression ~ '\n    )') }}
{%- endmacro %}

{% macro default__length(expression) -%}
  {{ return(dbt._runner_length_call('length', expression)) }}
{%- endmacro %}

{% macro redshift__length(expression) -%}
  {{ return(dbt._runner_length_call('len', expression)) }}
{%- endmacro %}
