{# The four built-in generic data tests and their helpers. Each test selects the failing rows. #}
{# Without `where` the test's `model` stays the relation object (packages check `is mapping` on it);
   with one it becomes a filtered subquery. #}
{% macro get_where_subquery(relation) -%}
  {%- set where = config.get('where') -%}
  {%- if where -%}
    {%- if "__dbt__cte__" in where -%}{%- set where = where | replace("__dbt__cte__", "") -%}{%- endif -%}
    {%- set filtered -%}(select * from {{ relation }} where {{ where }}) dbt_subquery{%- endset -%}
    {{ return(filtered) }}
  {%- else -%}
    {{ return(relation) }}
  {%- endif -%}
{%- endmacro %}

{% macro should_store_failures() -%}
  {%- set configured = config.get('store_failures') -%}
  {%- if configured is none -%}{%- set configured = flags.STORE_FAILURES -%}{%- endif -%}
  {{ return(configured) }}
{%- endmacro %}

{% test unique(model, column_name) %}
    {% set impl = adapter.dispatch('test_unique', 'dbt') %}
    {{ impl(model, column_name) }}
{% endtest %}

{% macro default__test_unique(model, column_name) %}

select
    {{ column_name }} as unique_field,
    count(*) as n_records

from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1

{% endmacro %}

{% test not_null(model, column_name) %}
    {% set impl = adapter.dispatch('test_not_null', 'dbt') %}
    {{ impl(model, column_name) }}
{% endtest %}

{% macro default__test_not_null(model, column_name) %}

{% set selected = '*' if should_store_failures() else column_name %}

select {{ selected }}
from {{ model }}
where {{ column_name }} is null

{% endmacro %}

{% test accepted_values(model, column_name, values, quote=True) %}
    {% set impl = adapter.dispatch('test_accepted_values', 'dbt') %}
    {{ impl(model, column_name, values, quote) }}
{% endtest %}

{% macro default__test_accepted_values(model, column_name, values, quote=True) %}

with all_values as (

    select
        {{ column_name }} as value_field,
        count(*) as n_records

    from {{ model }}
    group by {{ column_name }}

)

select *
from all_values
where value_field not in (
    {% for v in values %}{% if quote %}'{{ v }}'{% else %}{{ v }}{% endif %}{% if not loop.last %},{% endif %}{% endfor %}
)

{% endmacro %}

{% test relationships(model, column_name, to, field) %}
    {% set impl = adapter.dispatch('test_relationships', 'dbt') %}
    {{ impl(model, column_name, to, field) }}
{% endtest %}

{% macro default__test_relationships(model, column_name, to, field) %}

with child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
),

parent as (
    select {{ field }} as to_field
    from {{ to }}
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null

{% endmacro %}
