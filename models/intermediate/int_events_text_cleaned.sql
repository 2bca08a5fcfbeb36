-- One row per event that breaks no row rule (int_events_checked), its free
-- text made right: names whose UTF-8 was garbled twice are repaired, then song
-- titles and artist names lose surrounding spaces (repair first: a garbled "à"
-- ends in a no-break space), and user agents lose the literal quotes the logs
-- wrap them in. Duplicates of an event key are still here; int_events_deduplicated
-- drops them. Incremental by load (macros/incremental_by_load.sql), like the
-- checked events it reads: each event is repaired once, in the first run after
-- its file version is loaded. Its `_built_at` index serves the row tests, which
-- read only the rows written since they last passed (macros/test_watermarks.sql).

{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_by_load_strategy(),
        partition_by=incremental_by_load_partition_by(),
        file_format='parquet',
        on_schema_change='fail',
        pre_hook=[
            "{{ delete_replaced_file_versions(ref('stg_sparkify__loaded_files'), ref('stg_sparkify__load_runs')) }}"
        ],
        post_hook=[
            "{{ drop_emptied_partitions(ref('int_events_checked'), 'quarantine_rule is null') }}"
        ],
        indexes=[
            {'columns': ['_loaded_at']},
            {'columns': ['_built_at']},
        ],
    )
}}

with

checked as (

    select * from {{ ref('int_events_checked') }}
    where
        quarantine_rule is null
        and {{ incremental_by_load_batch(
            ref('int_events_checked'), ref('stg_sparkify__loaded_files')
        ) }}

),

cleaned as (

    select

        {{ surrogate_key(['session_id', 'item_in_session']) }} as event_id,
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
        {{ built_at() }} as _built_at,
        case
            when user_agent like '"%"'
                then substring(user_agent from 2 for length(user_agent) - 2)
            else user_agent
        end as user_agent,
        nullif(trim({{ repair_mojibake('artist_name') }}), '') as artist_name,
        nullif(trim({{ repair_mojibake('song_title') }}), '') as song_title

    from checked

)

select * from cleaned
