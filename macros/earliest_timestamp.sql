{#-
    A timestamp earlier than any the data can hold: the watermark of an empty
    incremental model, so that `x > coalesce(max(x), earliest_timestamp())`
    takes every row on its first run.
-#}
{% macro earliest_timestamp() -%}
    {{ return(adapter.dispatch('earliest_timestamp', 'sparkify')()) }}
{%- endmacro %}

{% macro default__earliest_timestamp() -%}
    cast('0001-01-01 00:00:00' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro postgres__earliest_timestamp() -%}
    cast('-infinity' as timestamp with time zone)
{%- endmacro %}

{% macro spark__earliest_timestamp() -%}
    cast('0001-01-01 00:00:00' as timestamp)
{%- endmacro %}
