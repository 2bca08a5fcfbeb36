-- When do people listen less? One row per period of each time grain, all on
-- the UTC clock: hour of the day (0-23), ISO weekday (Monday 1 .. Sunday 7),
-- and, across the data's span, each day, ISO week and month (for seasonality
-- once the data spans more than a month). Every period of the span has a row,
-- with zero plays if none happened in it.
--
-- Grains differ in how many days they cover (a month of data has five
-- Thursdays but four Mondays, partial weeks at its ends), so each row also
-- gives its days and per-day averages, the fair way to compare periods.

{#- Each calendar grain: its name, and its period's number or first day. -#}
{%- set calendar_grains = [
    ('weekday', 'weekday', 'cast(null as date)'),
    ('day', 'cast(null as integer)', 'calendar_date'),
    ('week', 'cast(null as integer)', 'week_start'),
    ('month', 'cast(null as integer)', 'month_start'),
] %}

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

times as (

    select * from {{ ref('dim_time') }}

),

plays as (

    select
        songplays.user_id,
        times.hour,
        times.start_date
    from songplays
    inner join times
        on songplays.start_time = times.start_time

),

span as (

    select
        min(start_date) as first_date,
        max(start_date) as last_date
    from plays

),

calendar_days as (

    select cast(series.calendar_day as date) as calendar_date
    from span
    cross join lateral generate_series(
        cast(span.first_date as timestamp),
        cast(span.last_date as timestamp),
        interval '1 day'
    ) as series (calendar_day)

),

calendar as (

    select
        calendar_date,
        cast(extract(isodow from calendar_date) as integer) as weekday,
        cast(
            {{ dbt.dateadd('day', '1 - extract(isodow from calendar_date)', 'calendar_date') }}
            as date
        ) as week_start,
        cast({{ dbt.date_trunc('month', 'calendar_date') }} as date) as month_start
    from calendar_days

),

calendar_size as (

    select count(*) as days_in_span
    from calendar

),

hours_of_day as (

    select series.hour_of_day
    from generate_series(0, 23) as series (hour_of_day)

),

plays_calendar as (

    select
        plays.user_id,
        plays.hour,
        calendar.calendar_date,
        calendar.weekday,
        calendar.week_start,
        calendar.month_start
    from plays
    inner join calendar
        on plays.start_date = calendar.calendar_date

),

daily as (

    select
        calendar_date,
        count(*) as plays,
        count(distinct user_id) as listeners
    from plays_calendar
    group by 1

),

daily_hourly as (

    select
        calendar_date,
        hour,
        count(*) as plays,
        count(distinct user_id) as listeners
    from plays_calendar
    group by 1, 2

),

calendar_daily as (

    select
        calendar.calendar_date,
        calendar.weekday,
        calendar.week_start,
        calendar.month_start,
        coalesce(daily.plays, 0) as plays,
        coalesce(daily.listeners, 0) as listeners
    from calendar
    left join daily
        on calendar.calendar_date = daily.calendar_date

),

-- Days, plays and the sum of each day's distinct listeners per period.
by_calendar_period as (

    {% for grain, period_number, period_start in calendar_grains -%}
        select
            '{{ grain }}' as time_grain,
            {{ period_number }} as period_number,
            {{ period_start }} as period_start,
            count(*) as days_in_period,
            sum(plays) as plays,
            sum(listeners) as daily_listeners
        from calendar_daily
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

by_hour_of_day as (

    select
        'hour_of_day' as time_grain,
        hours_of_day.hour_of_day as period_number,
        cast(null as date) as period_start,
        calendar_size.days_in_span as days_in_period,
        coalesce(sum(daily_hourly.plays), 0) as plays,
        coalesce(sum(daily_hourly.listeners), 0) as daily_listeners
    from hours_of_day
    cross join calendar_size
    left join daily_hourly
        on hours_of_day.hour_of_day = daily_hourly.hour
    group by 1, 2, 3, 4

),

-- Distinct listeners over each whole period.
period_listeners as (

    {% for grain, period_number, period_start in [('hour_of_day', 'hour', 'cast(null as date)')]
        + calendar_grains -%}
        select
            '{{ grain }}' as time_grain,
            {{ period_number }} as period_number,
            {{ period_start }} as period_start,
            count(distinct user_id) as listeners
        from plays_calendar
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

periods as (

    select * from by_hour_of_day
    union all
    select * from by_calendar_period

),

totals as (

    select count(*) as plays
    from plays

),

final as (

    select
        periods.time_grain,
        periods.period_number,
        periods.period_start,
        cast(periods.days_in_period as integer) as days_in_period,
        cast(periods.plays as integer) as plays,
        cast(coalesce(period_listeners.listeners, 0) as integer) as listeners,
        case periods.time_grain
            when 'hour_of_day' then lpad(cast(periods.period_number as text), 2, '0') || ':00'
            when 'weekday'
                then trim(to_char(date '2018-01-07' + periods.period_number, 'Day'))
            when 'day' then to_char(periods.period_start, 'YYYY-MM-DD')
            when 'week' then to_char(periods.period_start, 'IYYY-"W"IW')
            when 'month' then to_char(periods.period_start, 'YYYY-MM')
        end as period_label,
        cast(periods.plays as numeric) / periods.days_in_period as plays_per_day,
        cast(periods.daily_listeners as numeric) / periods.days_in_period as listeners_per_day,
        cast(periods.plays as numeric) / nullif(totals.plays, 0) as share_of_plays
    from periods
    cross join totals
    left join period_listeners
        on
            periods.time_grain = period_listeners.time_grain
            and periods.period_number is not distinct from period_listeners.period_number
            and periods.period_start is not distinct from period_listeners.period_start

)

select * from final
