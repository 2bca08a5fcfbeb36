-- One row per period in which a user's level stayed the same: a user's level
-- as of any event or time is the level of the period containing it. Derived
-- from all of the user's events (page views included, as an upgrade shows on
-- the Home page that follows it), in the order they happened: by time, then
-- position in the session (events can share a millisecond), then session.
-- It carries its state (macros/carried_user_state.sql): an incremental run
-- reads only the events loaded since, and carries each user's last period on
-- as one event of its level that comes before them; the pre-hook makes every
-- event be read again when a new one is not after the user's last event.

{{
    config(
        materialized=carried_state_materialization(),
        incremental_strategy='delete+insert',
        unique_key=['user_id', 'period_number'],
        on_schema_change='fail',
        pre_hook=[
            "{{ forget_user_state(ref('int_events_deduplicated'), ref('int_event_duplicates'), ref('stg_sparkify__load_runs'), ordered=true) }}"
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
        level,
        event_at,
        item_in_session,
        session_id,
        event_at as first_event_at,
        1 as events_count,
        0 as periods_before,
        _loaded_at
    from events
    where
        user_id is not null
        and {{ only_new_events }}

),

user_events as (

    select * from new_events

    {% if is_incremental() %}
        -- The last period so far of each user with new events, as one event
        -- at its last event's time, before every new one (the pre-hook
        -- makes sure), that counts its events and the periods before it.
        union all

        select
            carried.user_id,
            carried.level,
            carried.last_event_at as event_at,
            null as item_in_session,
            null as session_id,
            carried.valid_from as first_event_at,
            carried.events_count,
            carried.period_number - 1 as periods_before,
            carried._loaded_at
        from {{ this }} as carried
        where
            carried.user_id in (select new_events.user_id from new_events)
            and carried.valid_to is null
    {% endif %}

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
        max(periods_before) over (partition by user_id)
        + sum(is_period_start) over (
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
        min(first_event_at) as valid_from,
        max(event_at) as last_event_at,
        sum(events_count) as events_count,
        max(_loaded_at) as _loaded_at
    from numbered
    group by 1, 2

),

final as (

    select
        user_id,
        level,
        valid_from,
        last_event_at,
        _loaded_at,
        cast(period_number as integer) as period_number,
        cast(events_count as integer) as events_count,
        lead(valid_from) over (
            partition by user_id order by period_number
        ) as valid_to
    from periods

)

select * from final
