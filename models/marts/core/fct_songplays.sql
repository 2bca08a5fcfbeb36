{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='songplay_id',
        on_schema_change='fail',
        pre_hook=[
            "{{ delete_replaced_file_versions(ref('stg_sparkify__loaded_files')) }}"
        ],
        indexes=[
            {'columns': ['_loaded_at']},
            {'columns': ['_source_file', '_file_sha256']},
            {'columns': ['start_time']},
            {'columns': ['user_id', 'start_time']},
        ],
    )
}}

with

songplays as (

    select * from {{ ref('int_songplays_matched') }}
    {% if is_incremental() %}
        -- New loads only: plays of files loaded since the last run, including
        -- new versions of replaced files (their old rows went in the pre-hook).
        -- An empty fact (no plays yet) takes everything.
        where _loaded_at > (
            select coalesce(max(this_run._loaded_at), '-infinity') as last_loaded_at
            from {{ this }} as this_run
        )
    {% endif %}

),

final as (

    select
        songplay_id,
        event_at as start_time,
        user_id,
        level,
        song_id,
        artist_id,
        session_id,
        item_in_session,
        location,
        user_agent,
        song_title,
        artist_name,
        length_seconds,
        _source_file,
        _file_sha256,
        _loaded_at
    from songplays

)

select * from final
