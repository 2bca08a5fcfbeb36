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
