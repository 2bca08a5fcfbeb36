{#-
    The part of `column` matched by the first parenthesised group of
    `pattern` (a POSIX regular expression), or null when it does not match
    (or matches an empty text: Spark cannot tell the two apart). Patterns
    are written for both engines: no backslash escapes other than \uXXXX.
-#}
{% macro regexp_substring(column, pattern) -%}
    {{ return(adapter.dispatch('regexp_substring', 'sparkify')(column, pattern)) }}
{%- endmacro %}

{% macro default__regexp_substring(column, pattern) -%}
    regexp_substr({{ column }}, '{{ pattern }}', 1, 1, 'e')
{%- endmacro %}

{% macro postgres__regexp_substring(column, pattern) -%}
    nullif(substring({{ column }} from '{{ pattern }}'), '')
{%- endmacro %}

{% macro spark__regexp_substring(column, pattern) -%}
    {#- regexp_extract gives '' where Postgres gives null (no match). -#}
    nullif(regexp_extract({{ column }}, '{{ pattern }}', 1), '')
{%- endmacro %}

{#- True when `column` matches `pattern` (a POSIX regular expression). -#}
{% macro regexp_like(column, pattern) -%}
    {{ return(adapter.dispatch('regexp_like', 'sparkify')(column, pattern)) }}
{%- endmacro %}

{% macro default__regexp_like(column, pattern) -%}
    regexp_like({{ column }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regexp_like(column, pattern) -%}
    ({{ column }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_like(column, pattern) -%}
    ({{ column }} rlike '{{ pattern }}')
{%- endmacro %}
