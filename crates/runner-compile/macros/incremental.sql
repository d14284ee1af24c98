{# is_incremental(): true only when executing against an existing table built by this incremental model. #}
{% macro is_incremental() -%}
  {%- if not execute -%}
    {{ return(False) }}
  {%- else -%}
    {%- set existing = adapter.get_relation(this.database, this.schema, this.identifier) -%}
    {{ return(existing is not none
              and existing.type == 'table'
              and model.config.materialized == 'incremental'
              and not should_full_refresh()) }}
  {%- endif -%}
{%- endmacro %}

{% macro should_full_refresh() -%}
  {%- set configured = config.get('full_refresh') -%}
  {%- if configured is none -%}{%- set configured = flags.FULL_REFRESH -%}{%- endif -%}
  {{ return(configured) }}
{%- endmacro %}

{% macro run_query(sql) -%}
  {%- call statement("run_query_statement", fetch_result=true, auto_begin=false) -%}
    {{ sql }}
  {%- endcall -%}
  {{ return(load_result("run_query_statement").table) }}
{%- endmacro %}
