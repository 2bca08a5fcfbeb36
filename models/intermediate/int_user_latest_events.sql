-- One row per identified user: their latest event (by time, then position in
-- the session, then session, as everywhere a user's events are ordered), which
-- says who they are now. dim_users describes users by it, restricted.user_names
-- names them by it: both read the same event. A table of one row per user.

{{ config(materialized='table') }}

with

events as (

    select * from {{ ref('int_events_deduplicated') }}

),

ranked_events as (

    select
        user_id,
        first_name,
        last_name,
        gender,
        registered_at,
        location,
        user_agent_raw,
        event_at,
        row_number() over (
            partition by user_id
            order by event_at desc, item_in_session desc, session_id desc
        ) as recency_rank
    from events
    where user_id is not null

),

final as (

    select
        user_id,
        first_name,
        last_name,
        gender,
        registered_at,
        location,
        user_agent_raw,
        event_at
    from ranked_events
    where recency_rank = 1

)

select * from final
