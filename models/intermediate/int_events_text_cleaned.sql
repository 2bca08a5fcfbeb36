-- One row per event that breaks no data rule (int_events_checked) and is no
-- duplicate (int_event_duplicates), its free text made right: names whose
-- UTF-8 was garbled twice are repaired, then song titles and artist names
-- lose surrounding spaces (repair first: a garbled "à" ends in a no-break
-- space), and user agents lose the literal quotes the logs wrap them in. A table: the repair
-- runs once per build, not once per model and test that reads the events.

{{ config(materialized='table') }}

with

checked as (

    select * from {{ ref('int_events_checked') }}
    where quarantine_rule is null

),

duplicates as (

    select * from {{ ref('int_event_duplicates') }}

),

events as (

    select checked.*
    from checked
    left join duplicates
        on
            checked._source_file = duplicates._source_file
            and checked._source_line = duplicates._source_line
            and checked._load_id = duplicates._load_id
    where duplicates._source_file is null

),

cleaned as (

    select

        user_id,
        session_id,
        item_in_session,
        page,
        auth,
        level,
        {{ repair_mojibake('first_name') }} as first_name,
        {{ repair_mojibake('last_name') }} as last_name,
        gender,
        {{ repair_mojibake('location') }} as location,
        user_agent as user_agent_raw,
        length_seconds,
        http_method,
        http_status,
        event_at,
        registered_at,
        _source_file,
        _source_line,
        _file_sha256,
        _load_id,
        _loaded_at,
        case
            when user_agent like '"%"'
                then substring(user_agent from 2 for length(user_agent) - 2)
            else user_agent
        end as user_agent,
        nullif(trim({{ repair_mojibake('artist_name') }}), '') as artist_name,
        nullif(trim({{ repair_mojibake('song_title') }}), '') as song_title

    from events

)

select * from cleaned
