-- When do people listen less? One row per hour of the day (0 to 23, UTC),
-- with zero plays if none happened in it, over every day of the data's span:
-- its plays and listeners, and per-day averages.

with

listener_hours as (

    select * from {{ ref('int_listener_hours') }}

),

listening_days as (

    select * from {{ ref('listening_by_day') }}

),

hours_of_day as (

    {% for hour in range(24) -%}
        select {{ hour }} as hour_of_day
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

span as (

    select
        count(*) as days_in_period,
        sum(plays) as all_plays
    from listening_days

),

-- Plays and distinct listeners of each hour of each day.
daily_hourly as (

    select
        date_day,
        hour,
        sum(plays) as plays,
        -- One row per listener and hour.
        count(*) as listeners
    from listener_hours
    group by 1, 2

),

hourly_listeners as (

    select
        hour,
        count(distinct user_id) as listeners
    from listener_hours
    group by 1

),

by_hour as (

    select
        hours_of_day.hour_of_day,
        coalesce(sum(daily_hourly.plays), 0) as plays,
        coalesce(sum(daily_hourly.listeners), 0) as daily_listeners
    from hours_of_day
    left join daily_hourly
        on hours_of_day.hour_of_day = daily_hourly.hour
    group by 1

),

final as (

    select
        by_hour.hour_of_day,
        cast(span.days_in_period as integer) as days_in_period,
        cast(by_hour.plays as integer) as plays,
        cast(coalesce(hourly_listeners.listeners, 0) as integer) as listeners,
        lpad(cast(by_hour.hour_of_day as {{ dbt.type_string() }}), 2, '0') || ':00' as hour_label,
        cast(by_hour.plays as {{ exact_numeric_type() }}) / span.days_in_period as plays_per_day,
        cast(by_hour.daily_listeners as {{ exact_numeric_type() }})
        / span.days_in_period as listeners_per_day,
        cast(by_hour.plays as {{ exact_numeric_type() }})
        / nullif(span.all_plays, 0) as share_of_plays
    from by_hour
    cross join span
    left join hourly_listeners
        on by_hour.hour_of_day = hourly_listeners.hour

)

select * from final
