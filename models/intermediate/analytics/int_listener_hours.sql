-- One row per listener and UTC hour they played in (the day and the hour of
-- the day), with their plays in it: the grain the listening-by-time marts
-- (day, hour of the day, ISO week, weekday, month) count plays and distinct
-- listeners from, several times smaller than the plays. It carries its state
-- (macros/carried_user_state.sql): an incremental run counts only the plays
-- loaded since its rows' latest load and adds them to the rows of the same
-- listener and hour, so a play counts wherever it falls on the calendar. A
-- loader run that replaced a file or did not complete, or a changed duplicate
-- key (a play may have left the fact), makes it count every play again.

{{
    config(
        materialized=carried_state_materialization(),
        incremental_strategy='delete+insert',
        unique_key=['user_id', 'date_day', 'hour'],
        on_schema_change='fail',
        pre_hook=[
            "{{ forget_user_state(ref('int_events_deduplicated'), ref('int_event_duplicates'), ref('stg_sparkify__load_runs')) }}"
        ],
        indexes=[
            {'columns': ['user_id', 'date_day', 'hour'], 'unique': True},
        ],
    )
}}

-- depends_on: {{ ref('int_events_deduplicated') }}
-- depends_on: {{ ref('int_event_duplicates') }}
-- depends_on: {{ ref('stg_sparkify__load_runs') }}

{#- An incremental run counts the plays loaded since its rows' latest load. -#}
{%- set only_new_plays = (
    '_loaded_at > ' ~ last_loaded_at() if is_incremental() else 'true'
) %}

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

new_plays as (

    select
        user_id,
        {{ utc_date('start_time') }} as date_day,
        {{ date_part_utc('hour', 'start_time') }} as hour,
        count(*) as plays,
        max(_loaded_at) as _loaded_at
    from songplays
    where {{ only_new_plays }}
    group by 1, 2, 3

),

counted_hours as (

    select * from new_plays

    {% if is_incremental() %}
        -- What the rows so far counted in the hours that have new plays.
        union all

        select
            carried.user_id,
            carried.date_day,
            carried.hour,
            carried.plays,
            carried._loaded_at
        from {{ this }} as carried
        inner join new_plays
            on
                carried.user_id = new_plays.user_id
                and carried.date_day = new_plays.date_day
                and carried.hour = new_plays.hour
    {% endif %}

),

final as (

    select
        user_id,
        date_day,
        hour,
        cast(sum(plays) as integer) as plays,
        max(_loaded_at) as _loaded_at
    from counted_hours
    group by 1, 2, 3

)

select * from final
