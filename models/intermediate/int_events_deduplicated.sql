-- One row per event that goes on to the star schema: it breaks no data rule,
-- its text is cleaned (int_events_text_cleaned), and it is no duplicate of an
-- earlier event's key (int_event_duplicates, which holds only duplicates). A
-- view: the events' own filters (an incremental batch's `_loaded_at`) reach
-- the cleaned events' scan, below the anti-join with the few duplicates.

with

events as (

    select * from {{ ref('int_events_text_cleaned') }}

),

duplicates as (

    select * from {{ ref('int_event_duplicates') }}

),

final as (

    select
        events.event_id,
        events.user_id,
        events.session_id,
        events.item_in_session,
        events.page,
        events.auth,
        events.level,
        events.first_name,
        events.last_name,
        events.gender,
        events.location,
        events.user_agent_raw,
        events.length_seconds,
        events.http_method,
        events.http_status,
        events.event_at,
        events.registered_at,
        events._source_file,
        events._source_line,
        events._file_sha256,
        events._load_id,
        events._loaded_at,
        events.user_agent,
        events.artist_name,
        events.song_title
    from events
    left join duplicates
        on
            events._source_file = duplicates._source_file
            and events._source_line = duplicates._source_line
            and events._load_id = duplicates._load_id
    where duplicates._source_file is null

)

select * from final
