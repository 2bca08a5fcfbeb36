-- When do people listen less? One row per day of the data's span (first to
-- last play date, UTC), with zero plays if none happened that day, its
-- distinct listeners, and the average plays of the 7 days ending on it.

with

listener_hours as (

    select * from {{ ref('int_listener_hours') }}

),

dates as (

    select * from {{ ref('dim_date') }}

),

span as (

    select
        min(date_day) as first_date,
        max(date_day) as last_date,
        sum(plays) as all_plays
    from listener_hours

),

daily as (

    select
        date_day,
        sum(plays) as plays,
        count(distinct user_id) as listeners
    from listener_hours
    group by 1

),

calendar_daily as (

    select
        dates.date_day,
        dates.iso_weekday,
        dates.weekday_name,
        dates.iso_week_start,
        dates.month_start,
        span.all_plays,
        coalesce(daily.plays, 0) as plays,
        coalesce(daily.listeners, 0) as listeners
    from dates
    inner join span
        on dates.date_day between span.first_date and span.last_date
    left join daily
        on dates.date_day = daily.date_day

),

final as (

    select
        date_day,
        iso_weekday,
        weekday_name,
        iso_week_start,
        month_start,
        cast(plays as integer) as plays,
        cast(listeners as integer) as listeners,
        -- Every day of the span has a row, so 7 rows are 7 days; the first
        -- six days average over the days the data has.
        cast(
            avg(plays) over (order by date_day rows between 6 preceding and current row)
            as {{ exact_numeric_type() }}
        ) as plays_7_day_average,
        cast(plays as {{ exact_numeric_type() }}) / nullif(all_plays, 0) as share_of_plays
    from calendar_daily

)

select * from final
