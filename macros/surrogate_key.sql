{#-
    A deterministic surrogate key: the hash of the listed columns' own hashes.
    Each column is cast to text and hashed, a null becomes 'null' (never 32 hex
    digits), so the parts have fixed lengths and ('a-b', 'c') can never meet
    ('a', 'b-c'), whatever the text holds. The same values always give the same
    key, so a full refresh gives every row the id it had before.
-#}
{% macro surrogate_key(columns) -%}

    {%- set parts = [] -%}

    {%- for column in columns -%}

        {%- do parts.append(
            "coalesce(" ~ hash_text("cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")")
            ~ ", 'null')"
        ) -%}

    {%- endfor -%}

    {{ hash_text(parts | join(" || ")) }}

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
