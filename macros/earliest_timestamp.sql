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

{#-
    A timestamp (with time zone, where the engine has one) from a literal
    'YYYY-MM-DD HH:MM:SS' read on the UTC clock, whatever the session's time
    zone (Spark's is UTC, set by the project's profile).
-#}
{% macro utc_timestamp(literal) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'sparkify')(literal)) }}
{%- endmacro %}

{% macro default__utc_timestamp(literal) -%}
    cast('{{ literal }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro postgres__utc_timestamp(literal) -%}
    cast('{{ literal }}+00' as timestamp with time zone)
{%- endmacro %}

{% macro spark__utc_timestamp(literal) -%}
    cast('{{ literal }}' as timestamp)
{%- endmacro %}
