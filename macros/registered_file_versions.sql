{#-
    The visibility rule of the raw layer (README "Running on Spark"): a select
    of the rows of `relation` (a raw source) that belong to a registered file
    version, i.e. whose (`file_column`, `load_id_column`) is a
    (source_file, load_id) row of raw.loaded_files. Staging reads every raw
    table with records through it.

    - Postgres: every row, since a file's rows and its registration commit in
      one transaction; nothing unregistered is ever visible.
    - Spark (no transactions): the loader writes a file's rows first and
      registers the version in loaded_files last, so rows of a version still
      being written, or of one a killed run left behind, are skipped.

    `columns` (optional) lists the columns to select, for a table dbt's role may
    read only in part (raw.rejected_records: not the lines' raw text).
-#}
{% macro select_registered_versions(relation, file_column='_source_file', load_id_column='_load_id', columns=none) -%}
    {{ return(adapter.dispatch('select_registered_versions', 'sparkify')(
        relation, file_column, load_id_column, columns
    )) }}
{%- endmacro %}

{% macro _landed_columns(columns) -%}
    {%- if columns -%}
        {%- for column in columns %}landed.{{ column }}{{ ', ' if not loop.last }}{% endfor -%}
    {%- else -%}
        landed.*
    {%- endif -%}
{%- endmacro %}

{% macro default__select_registered_versions(relation, file_column, load_id_column, columns) -%}
    {#- Portable: the rule without relying on the loader's transactions. -#}
    select {{ _landed_columns(columns) }}
    from {{ relation }} as landed
    where exists (
        select 1
        from {{ source('sparkify', 'loaded_files') }} as registered
        where
            landed.{{ file_column }} = registered.source_file
            and landed.{{ load_id_column }} = registered.load_id
    )
{%- endmacro %}

{% macro postgres__select_registered_versions(relation, file_column, load_id_column, columns) -%}
    select {{ _landed_columns(columns) }} from {{ relation }} as landed
{%- endmacro %}

{% macro spark__select_registered_versions(relation, file_column, load_id_column, columns) -%}
    select {{ _landed_columns(columns) }}
    from {{ relation }} as landed
    left semi join {{ source('sparkify', 'loaded_files') }} as registered
        on
            landed.{{ file_column }} = registered.source_file
            and landed.{{ load_id_column }} = registered.load_id
{%- endmacro %}
