{# The current time: dbt.current_timestamp, dbt.snapshot_get_time and the two deprecated *_backcompat
   spellings kept for packages that used dbt_utils' old implementations. #}

{%- macro current_timestamp() -%}
  {{ adapter.dispatch('current_timestamp', 'dbt')() }}
{%- endmacro %}

{% macro default__current_timestamp() -%}
  {{ exceptions.raise_not_implemented('current_timestamp macro not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{% macro postgres__current_timestamp() %}{{ 'now()' }}{% endmacro %}

{% macro duckdb__current_timestamp() %}{{ 'now()' }}{% endmacro %}

{% macro redshift__current_timestamp() %}{{ 'getdate()' }}{% endmacro %}

{# The timestamp snapshots stamp rows with, without a time zone. #}
{%- macro snapshot_get_time() -%}
  {{ adapter.dispatch('snapshot_get_time', 'dbt')() }}
{%- endmacro %}

{% macro default__snapshot_get_time() %}
    {{ current_timestamp() }}
{% endmacro %}

{% macro postgres__snapshot_get_time() %}{{ current_timestamp() ~ '::timestamp without time zone' }}{% endmacro %}

{% macro duckdb__snapshot_get_time() %}{{ current_timestamp() ~ '::timestamp' }}{% endmacro %}

{% macro redshift__snapshot_get_time() %}{{ current_timestamp() ~ '::timestamp' }}{% endmacro %}

{# Deprecated: the timestamp dbt_utils.current_timestamp() used to produce. #}
{% macro current_timestamp_backcompat() %}{{ return(adapter.dispatch('current_timestamp_backcompat', 'dbt')()) }}{% endmacro %}

{% macro default__current_timestamp_backcompat() %}
    current_timestamp::timestamp
{% endmacro %}

{% macro postgres__current_timestamp_backcompat() %}
    current_timestamp::{{ type_timestamp() }}
{% endmacro %}

{% macro redshift__current_timestamp_backcompat() %}{{ 'getdate()' }}{% endmacro %}

{# Deprecated: the timestamp dbt_utils.current_timestamp_in_utc() used to produce. #}
{% macro current_timestamp_in_utc_backcompat() %}{{ return(adapter.dispatch('current_timestamp_in_utc_backcompat', 'dbt')()) }}{% endmacro %}

{% macro default__current_timestamp_in_utc_backcompat() %}{{ return(adapter.dispatch('current_timestamp_backcompat', 'dbt')()) }}{% endmacro %}

{% macro postgres__current_timestamp_in_utc_backcompat() %}
    (current_timestamp at time zone 'utc')::{{ type_timestamp() }}
{% endmacro %}

{% macro redshift__current_timestamp_in_utc_backcompat() %}{{ 'getdate()' }}{% endmacro %}
