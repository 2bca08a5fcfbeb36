-- One row per period in which a user's level stayed the same: a user's level
-- as of any event or time is the level of the period containing it. Derived
-- from all of the user's events (page views included, as an upgrade shows on
-- the Home page that follows it), in the order they happened: by time, then
-- position in the session (events can share a millisecond), then session.
-- A table: its two window passes over every user event run once per build.

{{ config(materialized='table') }}

with

events as (

    select * from {{ ref('int_events_deduplicated') }}

),

user_events as (

    select
        user_id,
        level,
        event_at,
        item_in_session,
        session_id
    from events
    where user_id is not null

),

with_previous_level as (

    select
        *,
        lag(level) over (
            partition by user_id
            order by event_at, item_in_session, session_id
        ) as previous_level
    from user_events

),

flagged as (

    select
        *,
        case when previous_level = level then 0 else 1 end as is_period_start
    from with_previous_level

),

numbered as (

    select
        *,
        sum(is_period_start) over (
            partition by user_id
            order by event_at, item_in_session, session_id
            rows between unbounded preceding and current row
        ) as period_number
    from flagged

),

periods as (

    select
        user_id,
        period_number,
        min(level) as level,
        min(event_at) as valid_from,
        max(event_at) as last_event_at,
        count(*) as events_count
    from numbered
    group by 1, 2

),

final as (

    select
        user_id,
        level,
        valid_from,
        last_event_at,
        cast(period_number as integer) as period_number,
        cast(events_count as integer) as events_count,
        lead(valid_from) over (
            partition by user_id order by period_number
        ) as valid_to
    from periods

)

select * from final
