{#-
    A deterministic surrogate key: the hash of the listed columns, each cast to
    text, nulls made visible, joined with a separator that keeps ('a', 'bc')
    apart from ('ab', 'c'). The same values always give the same key, so a full
    refresh gives every row the id it had before.
-#}
{% macro surrogate_key(columns) -%}

    {%- set parts = [] -%}

    {%- for column in columns -%}

        {%- do parts.append(
            "coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '_null_')"
        ) -%}

    {%- endfor -%}

    {{ hash_text(parts | join(" || '-' || ")) }}

{%- endmacro %}

{#- The hex digest of a text expression: md5 on Postgres. -#}
{% macro hash_text(expression) -%}
    {{ return(adapter.dispatch('hash_text', 'sparkify')(expression)) }}
{%- endmacro %}

{% macro default__hash_text(expression) -%}
    {{ dbt.hash(expression) }}
{%- endmacro %}

{% macro postgres__hash_text(expression) -%}
    md5({{ expression }})
{%- endmacro %}
