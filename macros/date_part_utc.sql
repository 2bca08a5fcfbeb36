{#-
    A date part of a timestamp with time zone, read on the UTC clock whatever
    the session's time zone. Parts are Postgres' names: hour, day, week
    (ISO 8601), month, year; weekdays come from iso_weekday (calendar.sql).
-#}
{% macro date_part_utc(part, column) -%}
    {{ return(adapter.dispatch('date_part_utc', 'sparkify')(part, column)) }}
{%- endmacro %}

{% macro default__date_part_utc(part, column) -%}
    {{ dbt.date_part(part, column) }}
{%- endmacro %}

{% macro postgres__date_part_utc(part, column) -%}
    cast(extract({{ part }} from {{ column }} at time zone 'UTC') as integer)
{%- endmacro %}

{% macro spark__date_part_utc(part, column) -%}
    {#- Spark timestamps are instants shown in the session time zone, which
        the project's profile sets to UTC; `week` is the ISO week here too. -#}
    cast(extract({{ part }} from from_utc_timestamp({{ column }}, 'UTC')) as int)
{%- endmacro %}

{#- The calendar date of a timestamp with time zone, on the UTC clock. -#}
{% macro utc_date(column) -%}
    {{ return(adapter.dispatch('utc_date', 'sparkify')(column)) }}
{%- endmacro %}

{% macro default__utc_date(column) -%}
    cast({{ column }} as date)
{%- endmacro %}

{% macro postgres__utc_date(column) -%}
    cast({{ column }} at time zone 'UTC' as date)
{%- endmacro %}

{% macro spark__utc_date(column) -%}
    {#- On the session time zone's clock, UTC in the project's profile. -#}
    cast({{ column }} as date)
{%- endmacro %}
