{#-
    The value under `key` of the JSON object in `column`, as text (a JSON null
    or a missing key gives null). Engine-specific, hence dispatched.
-#}
{% macro json_text(column, key) -%}
    {{ return(adapter.dispatch('json_text', 'sparkify')(column, key)) }}
{%- endmacro %}

{% macro default__json_text(column, key) -%}
    json_value({{ column }}, '$.{{ key }}')
{%- endmacro %}

{% macro postgres__json_text(column, key) -%}
    ({{ column }} ->> '{{ key }}')
{%- endmacro %}

{% macro spark__json_text(column, key) -%}
    {#- `record` is the JSON text on Spark; a JSON null gives null. -#}
    get_json_object({{ column }}, '$.{{ key }}')
{%- endmacro %}

{#-
    The JSON number under `key` as text, as the record writes it
    ("1540919166796.0"); null for a JSON null or a missing key. Spark's
    get_json_object prints a double again ("1.540919166796E12"), so Spark's
    branch takes the number's token from the record's text (the key must
    follow "{" or ",": a quoted key inside a string value is preceded by a
    backslash). Staging reads every field it casts through this, so that what
    the quarantine keeps of a bad value is the same text on both engines for
    numbers written as plain decimals, which is how eventsim and Python write
    them. Where the engines still differ: Postgres's jsonb stores a number as
    a numeric, so an exponent is written out (`1e2` gives "100", Spark keeps
    "1e2"), and of a key given twice jsonb keeps the last value, the Spark
    branch the first.
-#}
{% macro json_number_text(column, key) -%}
    {{ return(adapter.dispatch('json_number_text', 'sparkify')(column, key)) }}
{%- endmacro %}

{% macro default__json_number_text(column, key) -%}
    {{ sparkify.json_text(column, key) }}
{%- endmacro %}

{% macro spark__json_number_text(column, key) -%}
    coalesce(
        nullif(
            regexp_extract(
                {{ column }},
                '[{,][ \t\r\n]*"{{ key }}"[ \t\r\n]*:[ \t\r\n]*(-?[0-9][0-9.eE+-]*)',
                1
            ),
            ''
        ),
        get_json_object({{ column }}, '$.{{ key }}')
    )
{%- endmacro %}
