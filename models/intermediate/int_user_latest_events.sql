-- One row per identified user: their latest event (by time, then position in
-- the session, then session, as everywhere a user's events are ordered), which
-- says who they are now. dim_users describes users by it, restricted.user_names
-- names them by it: both read the same event. It carries its state
-- (macros/carried_user_state.sql): an incremental run compares each user's
-- latest event so far with the user's events loaded since, so it reads only
-- those. A user's latest event does not depend on the order in which events
-- arrive, so only a replaced file or a changed duplicate key makes it read
-- every event again.

{{
    config(
        materialized=carried_state_materialization(),
        incremental_strategy='delete+insert',
        unique_key='user_id',
        on_schema_change='fail',
        pre_hook=[
            "{{ forget_user_state(ref('int_events_deduplicated'), ref('int_event_duplicates'), ref('stg_sparkify__load_runs')) }}"
        ],
    )
}}

-- depends_on: {{ ref('int_event_duplicates') }}
-- depends_on: {{ ref('stg_sparkify__load_runs') }}

{#- An incremental run reads the events loaded since its rows' latest load. -#}
{%- set only_new_events = (
    '_loaded_at > ' ~ last_loaded_at() if is_incremental() else 'true'
) %}

with

events as (

    select * from {{ ref('int_events_deduplicated') }}

),

new_events as (

    select
        user_id,
        first_name,
        last_name,
        gender,
        registered_at,
        location,
        user_agent_raw,
        event_at,
        item_in_session,
        session_id,
        _loaded_at
    from events
    where
        user_id is not null
        and {{ only_new_events }}

),

candidates as (

    select * from new_events

    {% if is_incremental() %}
        -- The latest event so far of each user with new events.
        union all

        select
            user_id,
            first_name,
            last_name,
            gender,
            registered_at,
            location,
            user_agent_raw,
            event_at,
            item_in_session,
            session_id,
            _loaded_at
        from {{ this }}
        where user_id in (select new_events.user_id from new_events)
    {% endif %}

),

ranked_events as (

    select
        *,
        row_number() over (
            partition by user_id
            order by event_at desc, item_in_session desc, session_id desc
        ) as recency_rank,
        max(_loaded_at) over (partition by user_id) as loaded_through
    from candidates

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
        event_at,
        item_in_session,
        session_id,
        loaded_through as _loaded_at
    from ranked_events
    where recency_rank = 1

)

select * from final
