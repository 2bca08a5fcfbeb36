-- dim_date has exactly the days from the first to the last page view's date,
-- counted by date arithmetic instead of the spine: as many rows as
-- last - first + 1, starting and ending on those days, and each day after
-- the first is the previous day + 1 with the next weekday, starting a new ISO
-- week exactly on Mondays (the week start is then the day itself, and is
-- otherwise carried over). Returns what does not hold.

with

page_views as (

    select * from {{ ref('fct_page_views') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

event_span as (

    select
        min(view_date) as first_day,
        max(view_date) as last_day
    from page_views

),

calendar_span as (

    select
        min(date_day) as first_day,
        max(date_day) as last_day,
        count(*) as day_count
    from calendar

),

span_problems as (

    select 'span' as problem
    from event_span
    cross join calendar_span
    where
        event_span.first_day is distinct from calendar_span.first_day
        or event_span.last_day is distinct from calendar_span.last_day
        or calendar_span.day_count
        <> coalesce({{ days_between('event_span.first_day', 'event_span.last_day') }} + 1, 0)

),

consecutive as (

    select
        date_day,
        iso_weekday,
        iso_week_start,
        lag(date_day) over (order by date_day) as previous_day,
        lag(iso_weekday) over (order by date_day) as previous_weekday,
        lag(iso_week_start) over (order by date_day) as previous_week_start
    from calendar

),

day_problems as (

    select 'day after ' || cast(previous_day as {{ dbt.type_string() }}) as problem
    from consecutive
    where
        previous_day is not null
        and (
            {{ days_between('previous_day', 'date_day') }} <> 1
            or iso_weekday <> previous_weekday % 7 + 1
            or (iso_weekday = 1 and iso_week_start <> date_day)
            or (iso_weekday <> 1 and iso_week_start <> previous_week_start)
        )

)

select * from span_problems
union all
select * from day_problems
