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

catalogue as (

    -- When the song catalogue was last loaded: a newer load can change any match.
    select max(songs._loaded_at) as loaded_at
    from {{ ref('int_songs_cleaned') }} as songs

),

songplays as (

    select * from {{ ref('int_songplays_matched') }}
    {% if is_incremental() %}
        -- New loads only: plays of files loaded since the last run, including
        -- new versions of replaced files (their old rows went in the pre-hook).
        -- An empty fact (no plays yet) takes everything, and so does a run after
        -- the catalogue changed, since any play may then match another song.
        where
            _loaded_at > (
                select
                    coalesce(
                        max(this_run._loaded_at), {{ earliest_timestamp() }}
                    ) as last_loaded_at
                from {{ this }} as this_run
            )
            or (select catalogue.loaded_at from catalogue) > (
                select
                    coalesce(
                        max(this_run._catalogue_loaded_at), {{ earliest_timestamp() }}
                    ) as last_catalogue
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
        _loaded_at,
        (select catalogue.loaded_at from catalogue) as _catalogue_loaded_at
    from songplays

)

select * from final
