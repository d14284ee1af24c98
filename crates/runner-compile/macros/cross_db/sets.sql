{# Set operators: dbt.except() and dbt.intersect() (distinct forms; every supported warehouse spells
   them the same way). #}

{% macro except() -%}
  {{ return(adapter.dispatch('except', 'dbt')()) }}
{%- endmacro %}

{% macro default__except() -%}
  {{ return('\n\n    except\n\n') }}
{%- endmacro %}

{% macro intersect() -%}
  {{ return(adapter.dispatch('intersect', 'dbt')()) }}
{%- endmacro %}

{% macro default__intersect() -%}
  {{ return('\n\n    intersect\n\n') }}
{%- endmacro %}
