{#-
    Calendar building blocks of dim_date, the one place the project derives
    week starts, month starts and weekday numbers and names. Dates are plain
    `date` values (already on the UTC clock, see utc_date).
-#}

{#-
    A select of one row per day, `date_day`, from `first_day` to `last_day`
    (both included), for each row of `bounds` (a relation or CTE holding the
    two date columns). No row when a bound is null.
-#}
{% macro date_spine(bounds, first_day, last_day) -%}
    {{ return(adapter.dispatch('date_spine', 'sparkify')(bounds, first_day, last_day)) }}
{%- endmacro %}

{% macro default__date_spine(bounds, first_day, last_day) -%}
    {{ exceptions.raise_compiler_error(
        "date_spine is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__date_spine(bounds, first_day, last_day) -%}
    select cast(spine.day_start as date) as date_day
    from {{ bounds }}
    cross join lateral
        generate_series(
            cast({{ first_day }} as timestamp),
            cast({{ last_day }} as timestamp),
            interval '1 day'
        ) as spine (day_start)
{%- endmacro %}

{% macro spark__date_spine(bounds, first_day, last_day) -%}
    select explode(sequence({{ first_day }}, {{ last_day }}, interval 1 day)) as date_day
    from {{ bounds }}
{%- endmacro %}

{#- ISO 8601 day of the week of a date: 1 (Monday) to 7 (Sunday). -#}
{% macro iso_weekday(date_day) -%}
    {{ return(adapter.dispatch('iso_weekday', 'sparkify')(date_day)) }}
{%- endmacro %}

{% macro default__iso_weekday(date_day) -%}
    {{ exceptions.raise_compiler_error(
        "iso_weekday is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__iso_weekday(date_day) -%}
    cast(extract(isodow from {{ date_day }}) as integer)
{%- endmacro %}

{% macro spark__iso_weekday(date_day) -%}
    {#- dayofweek: 1 (Sunday) to 7 (Saturday). -#}
    cast(((dayofweek({{ date_day }}) + 5) % 7) + 1 as int)
{%- endmacro %}

{#- The Monday that starts the ISO week of a date. -#}
{% macro iso_week_start(date_day) -%}
    {{ return(adapter.dispatch('iso_week_start', 'sparkify')(date_day)) }}
{%- endmacro %}

{% macro default__iso_week_start(date_day) -%}
    {{ exceptions.raise_compiler_error(
        "iso_week_start is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__iso_week_start(date_day) -%}
    {#- date_trunc('week') starts weeks on Monday, as ISO 8601 does. -#}
    cast(date_trunc('week', {{ date_day }}) as date)
{%- endmacro %}

{% macro spark__iso_week_start(date_day) -%}
    {#- trunc(..., 'week') gives the Monday of the week. -#}
    trunc({{ date_day }}, 'week')
{%- endmacro %}

{#- The first day of the month of a date. -#}
{% macro month_start(date_day) -%}
    {{ return(adapter.dispatch('month_start', 'sparkify')(date_day)) }}
{%- endmacro %}

{% macro default__month_start(date_day) -%}
    {{ exceptions.raise_compiler_error(
        "month_start is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__month_start(date_day) -%}
    cast(date_trunc('month', {{ date_day }}) as date)
{%- endmacro %}

{% macro spark__month_start(date_day) -%}
    trunc({{ date_day }}, 'month')
{%- endmacro %}

{#-
    The English name of an ISO weekday number (1 = Monday .. 7 = Sunday),
    whatever the server's locale: portable SQL, no dispatch needed.
-#}
{% macro weekday_name(iso_weekday) -%}
    case {{ iso_weekday }}
        {%- for name in ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] %}
        when {{ loop.index }} then '{{ name }}'
        {%- endfor %}
    end
{%- endmacro %}

{#- The number of days from `first_day` to `last_day` (negative when earlier). -#}
{% macro days_between(first_day, last_day) -%}
    {{ return(adapter.dispatch('days_between', 'sparkify')(first_day, last_day)) }}
{%- endmacro %}

{% macro default__days_between(first_day, last_day) -%}
    {{ exceptions.raise_compiler_error(
        "days_between is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__days_between(first_day, last_day) -%}
    ({{ last_day }} - {{ first_day }})
{%- endmacro %}

{% macro spark__days_between(first_day, last_day) -%}
    datediff({{ last_day }}, {{ first_day }})
{%- endmacro %}

{#- The ISO 8601 week of a date as text, e.g. `2018-W45` (ISO year, week 01 to 53). -#}
{% macro iso_week_label(date_day) -%}
    {{ return(adapter.dispatch('iso_week_label', 'sparkify')(date_day)) }}
{%- endmacro %}

{% macro default__iso_week_label(date_day) -%}
    {{ exceptions.raise_compiler_error(
        "iso_week_label is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__iso_week_label(date_day) -%}
    to_char({{ date_day }}, 'IYYY-"W"IW')
{%- endmacro %}

{% macro spark__iso_week_label(date_day) -%}
    {#- YEAROFWEEK is the ISO week-numbering year, weekofyear the ISO week. -#}
    format_string('%04d-W%02d', extract(yearofweek from {{ date_day }}), weekofyear({{ date_day }}))
{%- endmacro %}

{#- The month of a date as text, e.g. `2018-11`. -#}
{% macro month_label(date_day) -%}
    {{ return(adapter.dispatch('month_label', 'sparkify')(date_day)) }}
{%- endmacro %}

{% macro default__month_label(date_day) -%}
    {{ exceptions.raise_compiler_error(
        "month_label is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__month_label(date_day) -%}
    to_char({{ date_day }}, 'YYYY-MM')
{%- endmacro %}

{% macro spark__month_label(date_day) -%}
    date_format({{ date_day }}, 'yyyy-MM')
{%- endmacro %}

{#-
    The seconds from timestamp `start_at` to timestamp `end_at`, fraction
    included (negative when `end_at` is earlier).
-#}
{% macro seconds_between(start_at, end_at) -%}
    {{ return(adapter.dispatch('seconds_between', 'sparkify')(start_at, end_at)) }}
{%- endmacro %}

{% macro default__seconds_between(start_at, end_at) -%}
    {{ exceptions.raise_compiler_error(
        "seconds_between is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__seconds_between(start_at, end_at) -%}
    extract(epoch from {{ end_at }} - {{ start_at }})
{%- endmacro %}

{% macro spark__seconds_between(start_at, end_at) -%}
    {#- unix_micros: microseconds since the epoch, exact (a bigint). -#}
    ((unix_micros({{ end_at }}) - unix_micros({{ start_at }})) / 1000000)
{%- endmacro %}

{#-
    `value` (a date or a timestamp) moved by `days` days (an integer, negative
    to go back). A timestamp stays a timestamp; a date may become a timestamp
    at midnight (Postgres), so cast it back to date where a date is needed.
    Replaces dbt.dateadd, which needs spark_utils on Spark.
-#}
{% macro add_days(value, days) -%}
    {{ return(adapter.dispatch('add_days', 'sparkify')(value, days)) }}
{%- endmacro %}

{% macro default__add_days(value, days) -%}
    {{ exceptions.raise_compiler_error(
        "add_days is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__add_days(value, days) -%}
    ({{ value }} + ({{ days }}) * interval '1 day')
{%- endmacro %}

{% macro spark__add_days(value, days) -%}
    ({{ value }} + make_interval(0, 0, 0, {{ days }}))
{%- endmacro %}
