{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_by_load_strategy(),
        unique_key=incremental_by_load_unique_key('songplay_id'),
        partition_by=incremental_by_load_partition_by(),
        file_format='parquet',
        on_schema_change='fail',
        pre_hook=[
            "{{ delete_replaced_file_versions(ref('stg_sparkify__loaded_files'), ref('stg_sparkify__load_runs')) }}",
            "{{ delete_rows_whose_key_moved(ref('int_event_duplicates'), ref('int_events_deduplicated'), \"first_events.page = 'NextSong'\", ['session_id', 'item_in_session']) }}",
        ],
        post_hook=[
            "{{ drop_emptied_partitions(ref('int_songplays_matched')) }}"
        ],
        indexes=[
            {'columns': ['_loaded_at']},
            {'columns': ['_source_file', '_file_sha256']},
            {'columns': ['start_time']},
            {'columns': ['user_id', 'start_time']},
        ],
    )
}}

{#-
    A newer song catalogue than the plays were matched against: every play is
    redone. Asked once before the run, so that the batch's condition holds a
    literal and its `_loaded_at` condition reaches the cleaned events' index
    (an `or` with a subquery makes Postgres scan every event). Every play
    carries the same `_catalogue_loaded_at`: a run either redoes every play
    or stamps its plays with the catalogue the others carry. So the
    latest-loaded play's stamp (the `_loaded_at` index finds it) stands for
    all; were they ever to differ, it is no later than the newest, so a
    catalogue newer than that is still never missed.
-#}
{#- When the song catalogue was last loaded: a newer load can change any match,
    also one whose records are quarantined (a conflicting record takes the song
    it conflicts with out of the catalogue), so every song record counts. -#}
{%- set catalogue_loaded_at =
    "select max(songs._loaded_at) as loaded_at from " ~ ref('int_songs_checked') ~ " as songs"
-%}
{%- set catalogue_is_newer = 'false' -%}
{%- if is_incremental() -%}
    {%- set newer = run_query(
        "select (" ~ catalogue_loaded_at ~ ")"
        ~ " > coalesce((select this_run._catalogue_loaded_at from " ~ this ~ " as this_run"
        ~ " order by this_run._loaded_at desc limit 1), " ~ earliest_timestamp() ~ ")"
    ).columns[0].values()[0] -%}
    {%- set catalogue_is_newer = 'true' if newer else 'false' -%}
{%- endif %}

with

catalogue as (

    {{ catalogue_loaded_at }}

),

songplays as (

    select * from {{ ref('int_songplays_matched') }}
    -- An incremental run's batch (macros/incremental_by_load.sql): the plays
    -- of the loads landed since the last run (Spark: whole loads, and the
    -- loads whose replaced file versions must go), or every play when the
    -- catalogue changed since, as any play may then match another song;
    -- also the plays of a duplicate key whose first event changed (a play
    -- is its key's first event).
    -- An empty fact takes everything.
    where
        {{ incremental_by_load_batch(
            ref('int_songplays_matched'),
            ref('stg_sparkify__loaded_files'),
            also_redo=catalogue_is_newer,
            key='songplay_id',
            load_runs=ref('stg_sparkify__load_runs')
        ) }}

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
        _load_id,
        _loaded_at,
        (select catalogue.loaded_at from catalogue) as _catalogue_loaded_at
    from songplays

)

select * from final
