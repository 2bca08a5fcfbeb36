{#-
    A deterministic surrogate key: the hash of the listed columns' own hashes,
    built only from dbt's cross-database macros (`dbt.type_string`,
    `dbt.hash`, `dbt.concat`), as dbt_utils' generate_surrogate_key is. Each
    column is cast to text and hashed, a null becomes 'null' (never 32 hex
    digits), so the parts have fixed lengths and ('a-b', 'c') can never meet
    ('a', 'b-c'), whatever the text holds. The same values always give the
    same key, so a full refresh gives every row the id it had before.
-#}
{% macro surrogate_key(columns) -%}

    {%- set parts = [] -%}

    {%- for column in columns -%}

        {%- do parts.append(
            "coalesce("
            ~ dbt.hash("cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")")
            ~ ", 'null')"
        ) -%}

    {%- endfor -%}

    {{ dbt.hash(dbt.concat(parts)) }}

{%- endmacro %}

{#-
    A timestamp as key text that is the same on every engine and session
    time zone: UTC, `YYYY-MM-DD HH:MM:SS.ffffff`. Pass it to surrogate_key
    instead of a bare timestamp column, whose text form differs (Postgres
    adds the session's offset, Spark does not).
-#}
{% macro timestamp_key_text(column) -%}
    {{ return(adapter.dispatch('timestamp_key_text', 'sparkify')(column)) }}
{%- endmacro %}

{% macro default__timestamp_key_text(column) -%}
    {{ exceptions.raise_compiler_error(
        "timestamp_key_text is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__timestamp_key_text(column) -%}
    to_char({{ column }} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')
{%- endmacro %}

{% macro spark__timestamp_key_text(column) -%}
    {#- On the session time zone's clock, UTC in the project's profile. -#}
    date_format({{ column }}, 'yyyy-MM-dd HH:mm:ss.SSSSSS')
{%- endmacro %}
