{# Number and date series: dbt.get_powers_of_two, dbt.generate_series (a cross join of 0/1 digits, or
   DuckDB's generate_series table function), dbt.get_intervals_between (asks the warehouse) and
   dbt.date_spine (one row per datepart between two dates). #}

{# The smallest n (1 to 99) with upper_bound <= 2^n: how many binary digits count up to upper_bound. #}
{% macro get_powers_of_two(upper_bound) -%}
  {{ return(adapter.dispatch('get_powers_of_two', 'dbt')(upper_bound)) }}
{%- endmacro %}

{% macro default__get_powers_of_two(upper_bound) -%}
  {%- if upper_bound <= 0 -%}
    {{ exceptions.raise_compiler_error("upper bound must be positive") }}
  {%- endif -%}
  {%- for n in range(1, 100) -%}
    {%- if upper_bound <= 2 ** n -%}{{ return(n) }}{%- endif -%}
  {%- endfor -%}
{%- endmacro %}

{% macro generate_series(upper_bound) -%}
  {{ return(adapter.dispatch('generate_series', 'dbt')(upper_bound)) }}
{%- endmacro %}

{# Each row of `unioned` adds up one 0/1 digit per power of two, so the rows are 1 .. 2^n. #}
{% macro default__generate_series(upper_bound) -%}
  {%- set digits = dbt.get_powers_of_two(upper_bound) -%}
  {%- set sum_terms = [] -%}
  {%- set digit_tables = [] -%}
  {%- for i in range(digits) -%}
    {%- set more = not loop.last -%}
    {%- do sum_terms.append('\n    p' ~ i ~ '.generated_number * power(2, ' ~ i ~ ')\n    '
                             ~ (' + ' if more else '') ~ '\n    ') -%}
    {%- do digit_tables.append('\n    p as p' ~ i ~ '\n    ' ~ (' cross join ' if more else '') ~ '\n    ') -%}
  {%- endfor -%}
  {%- set lines = [
      '\n\n    \n\n    with p as (',
      '        select 0 as generated_number union all select 1',
      '    ), unioned as (',
      '',
      '    select',
      '',
      '    ' ~ (sum_terms | join('')),
      '    + 1',
      '    as generated_number',
      '',
      '    from',
      '',
      '    ' ~ (digit_tables | join('')),
      '',
      '    )',
      '',
      '    select *',
      '    from unioned',
      '    where generated_number <= ' ~ upper_bound,
      '    order by generated_number',
      '',
      '',
  ] -%}
  {{ return(lines | join('\n')) }}
{%- endmacro %}

{% macro duckdb__generate_series(upper_bound) -%}
  {{ return('\n    select\n        generate_series as generated_number\n    from generate_series(1, '
            ~ upper_bound ~ ')\n') }}
{%- endmacro %}

{# Runs `select datediff(...)` on the warehouse; 1 when nothing came back (parsing, no connection). #}
{% macro get_intervals_between(start_date, end_date, datepart) -%}
  {{ return(adapter.dispatch('get_intervals_between', 'dbt')(start_date, end_date, datepart)) }}
{%- endmacro %}

{% macro default__get_intervals_between(start_date, end_date, datepart) -%}
  {%- call statement('get_intervals_between', fetch_result=True) %}

        select {{ dbt.datediff(start_date, end_date, datepart) }}

    {%- endcall -%}
  {%- set result = load_result('get_intervals_between') -%}
  {%- if result and result['data'] -%}
    {{ return((result['data'] | map(attribute=0) | list)[0]) }}
  {%- endif -%}
  {{ return(1) }}
{%- endmacro %}

{% macro date_spine(datepart, start_date, end_date) -%}
  {{ return(adapter.dispatch('date_spine', 'dbt')(datepart, start_date, end_date)) }}
{%- endmacro %}

{# Usage: date_spine("day", "to_date('01/01/2016', 'mm/dd/yyyy')", "dbt.dateadd(week, 1, current_date)") #}
{% macro default__date_spine(datepart, start_date, end_date) -%}
  {%- set periods = dbt.get_intervals_between(start_date, end_date, datepart) -%}
  {%- set column = 'date_' ~ datepart %}


    {{ '' }}


    with rawdata as (

        {{ dbt.generate_series(periods) }}

    ),

    all_periods as (

        select (
            {{ dbt.dateadd(datepart, "row_number() over (order by 1) - 1", start_date) }}
        ) as {{ column }}
        from rawdata

    ),

    filtered as (

        select *
        from all_periods
        where {{ column }} <= {{ end_date }}

    )

    select * from filtered

{% endmacro %}
