{# Relation helpers the materializations and packages call: naming of scratch relations, lookups,
   drops and the DDL that creates tables and views. Adapter-specific forms go through dispatch. #}

{% macro load_cached_relation(relation) -%}
  {{ return(adapter.get_relation(database=relation.database, schema=relation.schema, identifier=relation.identifier)) }}
{%- endmacro %}

{% macro load_relation(relation) -%}
  {{ return(load_cached_relation(relation)) }}
{%- endmacro %}

{% macro make_intermediate_relation(base_relation, suffix='__dbt_tmp') -%}
  {{ return(adapter.dispatch('make_intermediate_relation', 'dbt')(base_relation, suffix)) }}
{%- endmacro %}

{% macro default__make_intermediate_relation(base_relation, suffix) -%}
  {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier ~ suffix})) }}
{%- endmacro %}

{% macro make_backup_relation(base_relation, backup_relation_type, suffix='__dbt_backup') -%}
  {{ return(adapter.dispatch('make_backup_relation', 'dbt')(base_relation, backup_relation_type, suffix)) }}
{%- endmacro %}

{% macro default__make_backup_relation(base_relation, backup_relation_type, suffix) -%}
  {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier ~ suffix}, type=backup_relation_type)) }}
{%- endmacro %}

{% macro make_temp_relation(base_relation, suffix='__dbt_tmp') -%}
  {{ return(adapter.dispatch('make_temp_relation', 'dbt')(base_relation, suffix)) }}
{%- endmacro %}

{% macro default__make_temp_relation(base_relation, suffix) -%}
  {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier ~ suffix})) }}
{%- endmacro %}

{# Temporary tables on Postgres live in their own schema: name them alone, made unique by the time. #}
{% macro postgres__make_temp_relation(base_relation, suffix) -%}
  {%- set stamp = modules.datetime.datetime.now().strftime("%H%M%S%f") -%}
  {%- set name = base_relation.identifier ~ suffix ~ stamp -%}
  {{ return(base_relation.incorporate(path={"identifier": name, "schema": none, "database": none})) }}
{%- endmacro %}

{# DuckDB's temporary tables live in the `temp` catalog: refer to them by name alone. #}
{% macro duckdb__make_temp_relation(base_relation, suffix) -%}
  {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier ~ suffix, "schema": none, "database": none})) }}
{%- endmacro %}

{% macro drop_relation_if_exists(relation) -%}
  {%- if relation is not none -%}
    {{ adapter.drop_relation(relation) }}
  {%- endif -%}
{%- endmacro %}

{% macro drop_relation(relation) -%}
  {{ adapter.drop_relation(relation) }}
{%- endmacro %}

{% macro truncate_relation(relation) -%}
  {{ adapter.truncate_relation(relation) }}
{%- endmacro %}

{% macro rename_relation(from_relation, to_relation) -%}
  {{ adapter.rename_relation(from_relation, to_relation) }}
{%- endmacro %}

{% macro create_schema(relation) -%}
  {{ adapter.create_schema(relation) }}
{%- endmacro %}

{% macro drop_schema(relation) -%}
  {{ adapter.drop_schema(relation) }}
{%- endmacro %}

{% macro get_columns_in_relation(relation) -%}
  {{ return(adapter.get_columns_in_relation(relation)) }}
{%- endmacro %}

{% macro get_create_table_as_sql(temporary, relation, sql) -%}
  {{ return(adapter.dispatch('get_create_table_as_sql', 'dbt')(temporary, relation, sql)) }}
{%- endmacro %}

{% macro default__get_create_table_as_sql(temporary, relation, sql) -%}
  {{ return(create_table_as(temporary, relation, sql)) }}
{%- endmacro %}

{% macro create_table_as(temporary, relation, compiled_code, language='sql') -%}
  {{ adapter.dispatch('create_table_as', 'dbt')(temporary, relation, compiled_code) }}
{%- endmacro %}

{% macro default__create_table_as(temporary, relation, sql) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {{ sql_header if sql_header is not none }}
  create {% if temporary %}temporary {% endif %}table {{ relation.include(database=(not temporary), schema=(not temporary)) }}
  as (
    {{ sql }}
  );
{%- endmacro %}

{% macro postgres__create_table_as(temporary, relation, sql) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {%- set unlogged = config.get('unlogged', default=false) -%}
  {{ sql_header if sql_header is not none }}
  create {% if temporary %}temporary {% elif unlogged %}unlogged {% endif %}table {{ relation }}
  as (
    {{ sql }}
  );
{%- endmacro %}

{# Redshift tables take their distribution and sort keys from config (`dist`, `sort`, `sort_type`). #}
{% macro redshift__create_table_as(temporary, relation, sql) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {%- set dist = config.get('dist') -%}
  {%- set sort = config.get('sort') -%}
  {%- set sort_type = config.get('sort_type', 'compound') -%}
  {{ sql_header if sql_header is not none }}
  create {% if temporary %}temporary {% endif %}table {{ relation.include(database=(not temporary), schema=(not temporary)) }}
  {%- if dist is not none %}
    {%- if dist | lower in ('all', 'even', 'auto') %}
  diststyle {{ dist | lower }}
    {%- else %}
  diststyle key distkey ({{ adapter.quote(dist) if '"' not in dist else dist }})
    {%- endif %}
  {%- endif %}
  {%- if sort is not none %}
    {%- set keys = [sort] if sort is string else sort %}
  {{ sort_type }} sortkey({% for k in keys %}{{ adapter.quote(k) if '"' not in k else k }}{{ ", " if not loop.last }}{% endfor %})
  {%- endif %}
  as (
    {{ sql }}
  );
{%- endmacro %}

{% macro duckdb__create_table_as(temporary, relation, sql) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {{ sql_header if sql_header is not none }}
  create {% if temporary %}temp {% endif %}table {{ relation.include(database=(not temporary), schema=(not temporary)) }} as (
    {{ sql }}
  );
{%- endmacro %}

{% macro get_create_view_as_sql(relation, sql) -%}
  {{ return(adapter.dispatch('get_create_view_as_sql', 'dbt')(relation, sql)) }}
{%- endmacro %}

{% macro default__get_create_view_as_sql(relation, sql) -%}
  {{ return(create_view_as(relation, sql)) }}
{%- endmacro %}

{% macro create_view_as(relation, sql) -%}
  {{ adapter.dispatch('create_view_as', 'dbt')(relation, sql) }}
{%- endmacro %}

{% macro default__create_view_as(relation, sql) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {{ sql_header if sql_header is not none }}
  create view {{ relation }} as (
    {{ sql }}
  );
{%- endmacro %}

{# Redshift views may be late-binding: they then survive drops of what they select from. #}
{% macro redshift__create_view_as(relation, sql) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {%- set bind = config.get('bind', default=true) -%}
  {{ sql_header if sql_header is not none }}
  create view {{ relation }} as (
    {{ sql }}
  ){{ ' with no schema binding' if not bind }};
{%- endmacro %}

{% macro get_create_index_sql(relation, index_dict) -%}
  {{ return(adapter.dispatch('get_create_index_sql', 'dbt')(relation, index_dict)) }}
{%- endmacro %}

{% macro default__get_create_index_sql(relation, index_dict) -%}
  {{ return(none) }}
{%- endmacro %}

{% macro postgres__get_create_index_sql(relation, index_dict) -%}
  {%- set columns = index_dict.get('columns', []) -%}
  {%- set unique = index_dict.get('unique', false) -%}
  {%- set method = index_dict.get('type') -%}
  {%- set name = local_md5(columns | join('_') ~ unique ~ method ~ relation.identifier ~ modules.datetime.datetime.utcnow().isoformat()) -%}
  create {% if unique %}unique {% endif %}index if not exists "{{ name }}"
  on {{ relation }} {% if method %}using {{ method }}{% endif %}
  ({{ columns | join(', ') }});
{%- endmacro %}

{# DuckDB has indexes too (dbt-duckdb creates them): the same statement. #}
{% macro duckdb__get_create_index_sql(relation, index_dict) -%}
  {{ return(postgres__get_create_index_sql(relation, index_dict)) }}
{%- endmacro %}

{% macro drop_indexes_on_relation(relation) -%}
  {{ adapter.dispatch('drop_indexes_on_relation', 'dbt')(relation) }}
{%- endmacro %}

{% macro default__drop_indexes_on_relation(relation) -%}
  {#- Postgres renames tables with their indexes. -#}
{%- endmacro %}

{# DuckDB refuses to rename a table that has an index: drop them first (the rebuilt table gets its
   own from config). #}
{% macro duckdb__drop_indexes_on_relation(relation) -%}
  {#- Only models that configure indexes have any; scanning the catalog otherwise would also race
      with other threads' renames (DuckDB's duckdb_indexes() reads every table). -#}
  {%- if not config.get('indexes') -%}{{ return(none) }}{%- endif -%}
  {%- set found = run_query("select index_name from duckdb_indexes() where database_name = '" ~ relation.database
      ~ "' and schema_name = '" ~ relation.schema ~ "' and table_name = '" ~ relation.identifier ~ "'") -%}
  {%- for row in found.rows -%}
    {% call statement('drop_index') %}drop index if exists "{{ relation.database }}"."{{ relation.schema }}"."{{ row[0] }}"{% endcall %}
  {%- endfor -%}
{%- endmacro %}

{% macro create_indexes(relation) -%}
  {%- for index_dict in config.get('indexes', default=[]) -%}
    {%- set index_sql = get_create_index_sql(relation, index_dict) -%}
    {%- if index_sql -%}
      {% call statement('create_index') %}{{ index_sql }}{% endcall %}
    {%- endif -%}
  {%- endfor -%}
{%- endmacro %}
