{#-
    A timestamp with time zone from a number of milliseconds since the Unix
    epoch (UTC), given as a number (cast the JSON text with safe_number first).
    Exact to the millisecond. Never fails: a time outside the years 1 to
    9999 (what both engines' timestamps hold) gives null.
-#}
{% macro epoch_ms_to_timestamp(column) -%}
    case
        when {{ column }} between -62135596800000 and 253402300799999
            then {{ adapter.dispatch('epoch_ms_to_timestamp', 'sparkify')(column) }}
    end
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
