{# Casts: dbt.cast, dbt.safe_cast (a plain cast on Postgres, Redshift and DuckDB) and
   dbt.cast_bool_to_text (Redshift cannot cast a boolean to text, so it spells the two values out). #}

{% macro cast(field, type) %}{{ return(adapter.dispatch('cast', 'dbt')(field, type)) }}{% endmacro %}

{% macro default__cast(field, type) %}
    cast({{ field }} as {{ type }})
{% endmacro %}

{% macro safe_cast(field, type) %}{{ return(adapter.dispatch('safe_cast', 'dbt')(field, type)) }}{% endmacro %}

{% macro default__safe_cast(field, type) %}
    {# none of our warehouses has a non-raising cast that takes a type name: use cast #}
    cast({{ field }} as {{ type }})
{% endmacro %}

{# Not a returning macro: its own indentation is part of the output. #}
{% macro cast_bool_to_text(field) %}
  {{ adapter.dispatch('cast_bool_to_text', 'dbt')(field) }}
{% endmacro %}

{% macro default__cast_bool_to_text(field) %}
    cast({{ field }} as {{ api.Column.translate_type('string') }})
{% endmacro %}

{% macro redshift__cast_bool_to_text(field) %}
    case
        when {{ field }} is true then 'true'
        when {{ field }} is false then 'false'
    end::text
{% endmacro %}
