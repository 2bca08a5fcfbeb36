{#-
    The body of a listening-by-calendar-period model: one row per value of
    `period_columns` (columns of listening_by_day, e.g. iso_weekday and
    weekday_name, or month_start) over the data's span, with the days of the
    span it covers, its plays and distinct listeners, and the per-day averages
    that compare periods of different lengths fairly. `extra_columns` are
    (name, SQL expression) pairs computed over the `periods` CTE (its period
    columns, `days_in_period`, `plays`), placed after the period columns.
-#}
{% macro listening_by_calendar_period(period_columns, extra_columns=[]) -%}

{%- set keys = period_columns | join(', ') -%}

with

listening_days as (

    select * from {{ ref('listening_by_day') }}

),

listener_hours as (

    select * from {{ ref('int_listener_hours') }}

),

dates as (

    select * from {{ ref('dim_date') }}

),

-- Days, plays and the sum of each day's distinct listeners per period.
by_days as (

    select
        {{ keys }},
        count(*) as days_in_period,
        sum(plays) as plays,
        sum(listeners) as daily_listeners
    from listening_days
    group by {{ keys }}

),

-- Distinct listeners over each whole period.
period_listeners as (

    select
        {% for column in period_columns -%}
            dates.{{ column }},
        {% endfor -%}
        count(distinct listener_hours.user_id) as listeners
    from listener_hours
    inner join dates
        on listener_hours.date_day = dates.date_day
    group by {% for column in period_columns -%}
        dates.{{ column }}{% if not loop.last %}, {% endif %}
    {%- endfor %}

),

periods as (

    select
        {% for column in period_columns -%}
            by_days.{{ column }},
        {% endfor -%}
        by_days.days_in_period,
        by_days.plays,
        by_days.daily_listeners,
        coalesce(period_listeners.listeners, 0) as listeners,
        sum(by_days.plays) over () as all_plays
    from by_days
    left join period_listeners
        on
            {% for column in period_columns -%}
                by_days.{{ column }} = period_listeners.{{ column }}
                {%- if not loop.last %} and{% endif %}
            {% endfor %}

),

final as (

    select
        {{ keys }},
        {% for name, expression in extra_columns -%}
            {{ expression }} as {{ name }},
        {% endfor -%}
        cast(days_in_period as integer) as days_in_period,
        cast(plays as integer) as plays,
        cast(listeners as integer) as listeners,
        cast(plays as {{ exact_numeric_type() }}) / days_in_period as plays_per_day,
        cast(daily_listeners as {{ exact_numeric_type() }}) / days_in_period as listeners_per_day,
        cast(plays as {{ exact_numeric_type() }}) / nullif(all_plays, 0) as share_of_plays
    from periods

)

select * from final

{%- endmacro %}
