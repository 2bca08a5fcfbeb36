-- One row per calendar day (UTC) from the first to the last event day, with
-- its ISO week start, month start and weekday: the project's one calendar.

with

events as (

    select * from {{ ref('int_events_deduplicated') }}

),

bounds as (

    select
        min({{ utc_date('event_at') }}) as first_day,
        max({{ utc_date('event_at') }}) as last_day
    from events

),

spine as (

    {{ date_spine('bounds', 'bounds.first_day', 'bounds.last_day') }}

),

weekdays as (

    select
        date_day,
        {{ iso_weekday('date_day') }} as iso_weekday
    from spine

),

final as (

    select
        date_day,
        {{ iso_week_start('date_day') }} as iso_week_start,
        {{ month_start('date_day') }} as month_start,
        iso_weekday,
        {{ weekday_name('iso_weekday') }} as weekday_name,
        iso_weekday >= 6 as is_weekend
    from weekdays

)

select * from final
