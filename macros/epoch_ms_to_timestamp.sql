{#-
    A timestamp with time zone from a number of milliseconds since the Unix
    epoch (UTC), given as a number or as text ("1541105830796",
    "1540919166796.0"). Exact to the millisecond.
-#}
{% macro epoch_ms_to_timestamp(column) -%}
    {{ return(adapter.dispatch('epoch_ms_to_timestamp', 'sparkify')(column)) }}
{%- endmacro %}

{% macro default__epoch_ms_to_timestamp(column) -%}
    {{ dbt.dateadd(
        'millisecond',
        'cast(' ~ column ~ ' as ' ~ dbt.type_bigint() ~ ')',
        "cast('1970-01-01 00:00:00+00' as " ~ dbt.type_timestamp() ~ ")"
    ) }}
{%- endmacro %}

{% macro postgres__epoch_ms_to_timestamp(column) -%}
    (
        timestamptz '1970-01-01 00:00:00+00'
        + cast({{ column }} as numeric) * interval '1 millisecond'
    )
{%- endmacro %}

{% macro spark__epoch_ms_to_timestamp(column) -%}
    {#- Through microseconds, so a fraction of a millisecond is kept as on
        Postgres (whose timestamps also stop at microseconds). -#}
    timestamp_micros(cast(cast({{ column }} as decimal(38,3)) * 1000 as bigint))
{%- endmacro %}
