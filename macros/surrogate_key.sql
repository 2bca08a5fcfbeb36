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
