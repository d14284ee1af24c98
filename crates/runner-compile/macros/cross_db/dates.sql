{# Date arithmetic: dbt.dateadd, dbt.datediff, dbt.date_trunc, dbt.last_day and dbt.date, with the
   Postgres (interval multiplication, date_part towers), DuckDB (date_diff, make_date) and Redshift
   (native dateadd/datediff) variants. #}

{# ---- dateadd(datepart, interval, from_date_or_timestamp) ---- #}
{% macro dateadd(datepart, interval, from_date_or_timestamp) %}
  {{- return(adapter.dispatch('dateadd', 'dbt')(datepart, interval, from_date_or_timestamp)) -}}
{% endmacro %}

{% macro default__dateadd(datepart, interval, from_date_or_timestamp) %}

    dateadd(
        {{ datepart }},
        {{ interval }},
        {{ from_date_or_timestamp }}
        )

{% endmacro %}

{% macro redshift__dateadd(datepart, interval, from_date_or_timestamp) -%}
  {{ return(dbt.default__dateadd(datepart, interval, from_date_or_timestamp)) }}
{%- endmacro %}

{% macro postgres__dateadd(datepart, interval, from_date_or_timestamp) -%}
  {%- set one_unit = "(interval '1 " ~ datepart ~ "')" -%}
  {{ return('\n\n    ' ~ from_date_or_timestamp ~ ' + (' ~ one_unit ~ ' * (' ~ interval ~ '))\n\n') }}
{%- endmacro %}

{# DuckDB multiplies an interval by the step count, which works for column expressions too; it has no
   quarter unit, and weeks are written as days. #}
{% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) -%}
  {%- set unit = datepart | lower -%}
  {%- set steps = 'cast(' ~ interval ~ ' as bigint)' -%}
  {%- if unit == 'quarter' -%}
    {%- set steps = '(' ~ steps ~ ' * 3)' -%}
    {%- set unit = 'month' -%}
  {%- elif unit == 'week' -%}
    {%- set steps = '(' ~ steps ~ ' * 7)' -%}
    {%- set unit = 'day' -%}
  {%- endif %}

    ({{ from_date_or_timestamp }} + {{ steps }} * interval 1 {{ unit }})
{%- endmacro %}

{# ---- datediff(first_date, second_date, datepart) ---- #}
{% macro datediff(first_date, second_date, datepart) %}
  {{- return(adapter.dispatch('datediff', 'dbt')(first_date, second_date, datepart)) -}}
{% endmacro %}

{% macro default__datediff(first_date, second_date, datepart) -%}
    datediff(
        {{ datepart }},
        {{ first_date }},
        {{ second_date }}
        )
{%- endmacro %}

{% macro redshift__datediff(first_date, second_date, datepart) -%}
  {{ return(dbt.default__datediff(first_date, second_date, datepart)) }}
{%- endmacro %}

{# date_part(part, second) - date_part(part, first), both cast to as_type, optionally floored. #}
{% macro _runner_date_part_delta(part, first_date, second_date, as_type, floored) -%}
  {%- set ns = namespace(terms=[]) -%}
  {%- for operand in [second_date, first_date] -%}
    {%- set term = "date_part('" ~ part ~ "', (" ~ operand ~ ")::" ~ as_type ~ ")" -%}
    {%- set ns.terms = ns.terms + [('floor(' ~ term ~ ')') if floored else term] -%}
  {%- endfor -%}
  {{ return(ns.terms | join(' - ')) }}
{%- endmacro %}

{# Whole weeks between two dates, from a day count and the weekday order (Postgres and DuckDB). #}
{% macro _runner_weeks_from_days(first_date, second_date, days, division) -%}
  {%- set ordered = first_date ~ ' <= ' ~ second_date -%}
  {{ return('(' ~ days ~ ' ' ~ division ~ ' 7 + case
            when date_part(\'dow\', (' ~ first_date ~ ')::timestamp) <= date_part(\'dow\', (' ~ second_date ~ ')::timestamp) then
                case when ' ~ ordered ~ ' then 0 else -1 end
            else
                case when ' ~ ordered ~ ' then 1 else 0 end
        end)') }}
{%- endmacro %}

{# Postgres has no datediff: each part is the next coarser part's difference scaled, plus the
   difference of this part's field. #}
{% macro postgres__datediff(first_date, second_date, datepart) -%}
  {%- set towers = {
      'quarter': ['year', 4, 'date', false],
      'month': ['year', 12, 'date', false],
      'hour': ['day', 24, 'timestamp', false],
      'minute': ['hour', 60, 'timestamp', false],
      'second': ['minute', 60, 'timestamp', true],
      'millisecond': ['minute', 60000, 'timestamp', true],
      'microsecond': ['minute', 60000000, 'timestamp', true],
  } -%}
  {%- if datepart == 'year' -%}
    {%- set sql = '(' ~ dbt._runner_date_part_delta('year', first_date, second_date, 'date', false) ~ ')' -%}
  {%- elif datepart == 'day' -%}
    {%- set sql = '((' ~ second_date ~ ')::date - (' ~ first_date ~ ')::date)' -%}
  {%- elif datepart == 'week' -%}
    {%- set sql = dbt._runner_weeks_from_days(first_date, second_date, datediff(first_date, second_date, 'day'), '/') -%}
  {%- elif datepart in towers -%}
    {%- set coarser, factor, as_type, floored = towers[datepart] -%}
    {%- set sql = '(' ~ datediff(first_date, second_date, coarser) ~ ' * ' ~ factor ~ ' + '
        ~ dbt._runner_date_part_delta(datepart, first_date, second_date, as_type, floored) ~ ')' -%}
  {%- else -%}
    {{ exceptions.raise_compiler_error("Unsupported datepart for macro datediff in postgres: {!r}".format(datepart)) }}
  {%- endif -%}
  {{ return('\n        ' ~ sql ~ '\n    ') }}
{%- endmacro %}

{% macro duckdb__datediff(first_date, second_date, datepart) -%}
  {%- if datepart == 'week' -%}
    {{ return('\n            ' ~ dbt._runner_weeks_from_days(first_date, second_date, datediff(first_date, second_date, 'day'), '//') ~ '\n    ') }}
  {%- endif -%}
  {{ return("\n        (date_diff('" ~ datepart ~ "', " ~ first_date ~ '::timestamp, ' ~ second_date ~ '::timestamp ))\n    ') }}
{%- endmacro %}

{# ---- date_trunc(datepart, date) ---- #}
{% macro date_trunc(datepart, date) -%}
  {{ return(adapter.dispatch('date_trunc', 'dbt')(datepart, date)) }}
{%- endmacro %}

{% macro default__date_trunc(datepart, date) -%}
  date_trunc('{{ datepart }}', {{ date }})
{%- endmacro %}

{# ---- last_day(date, datepart): the last date of the period holding date ---- #}
{% macro last_day(date, datepart) %}
  {{- return(adapter.dispatch('last_day', 'dbt')(date, datepart)) -}}
{% endmacro %}

{# Start of the period, plus one period, minus one day. #}
{% macro default_last_day(date, datepart) -%}
  {%- set period_start = dbt.date_trunc(datepart, date) -%}
  {%- set next_period_start = dbt.dateadd(datepart, '1', period_start) -%}
  {{ 'cast(\n        ' ~ dbt.dateadd('day', '-1', next_period_start) ~ '\n        as date)' }}
{%- endmacro %}

{% macro default__last_day(date, datepart) -%}
  {{ return(dbt.default_last_day(date, datepart)) }}
{%- endmacro %}

{# For engines whose dateadd has no quarter unit: a quarter is three months. #}
{% macro _runner_last_day_of_quarter(date, engine) -%}
  {%- set next_quarter_start = dbt.dateadd('month', '3', dbt.date_trunc('quarter', date)) -%}
  {{ return('-- ' ~ engine ~ ' dateadd does not support quarter interval.\n    cast(\n        '
            ~ dbt.dateadd('day', '-1', next_quarter_start) ~ '\n        as date)') }}
{%- endmacro %}

{% macro postgres__last_day(date, datepart) -%}
  {%- if datepart == 'quarter' -%}
    {{ return(dbt._runner_last_day_of_quarter(date, 'postgres')) }}
  {%- endif -%}
  {{ return(dbt.default_last_day(date, datepart)) }}
{%- endmacro %}

{% macro duckdb__last_day(date, datepart) -%}
  {%- if datepart == 'quarter' -%}
    {{ return(dbt._runner_last_day_of_quarter(date, 'duckdb')) }}
  {%- endif -%}
  {{ return(dbt.default_last_day(date, datepart)) }}
{%- endmacro %}

{% macro redshift__last_day(date, datepart) -%}
  {{ return('\n    ' ~ dbt.default_last_day(date, datepart) ~ '\n') }}
{%- endmacro %}

{# ---- date(year, month, day): a date literal ---- #}
{% macro date(year, month, day) %}
  {{- return(adapter.dispatch('date', 'dbt')(year, month, day)) -}}
{% endmacro %}

{# Formatted like Python's date.strftime('%Y-%m-%d') (the year is not zero-padded). #}
{% macro default__date(year, month, day) -%}
  {%- set iso_date = '%d-%02d-%02d' | format(year, month, day) -%}
  to_date('{{ iso_date }}', 'YYYY-MM-DD')
{%- endmacro %}

{% macro duckdb__date(year, month, day) -%}
  make_date({{ year }}, {{ month }}, {{ day }})
{%- endmacro %}
