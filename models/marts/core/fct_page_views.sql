-- One row per app event that breaks no data rule and is no duplicate, every
-- page (NextSong included): the grain of questions about what users do in the
-- app rather than what they play. Incremental by load, keyed by the event
-- (macros/incremental_by_load.sql), like fct_songplays: every first event of
-- a key is a page view, so a key whose first event changes is replaced by key.

{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_by_load_strategy(),
        unique_key=incremental_by_load_unique_key('page_view_id'),
        partition_by=incremental_by_load_partition_by(),
        file_format='parquet',
        on_schema_change='fail',
        pre_hook=[
            "{{ delete_replaced_file_versions(ref('stg_sparkify__loaded_files'), ref('stg_sparkify__load_runs')) }}"
        ],
        post_hook=[
            "{{ drop_emptied_partitions(ref('int_events_deduplicated')) }}"
        ],
        indexes=[
            {'columns': ['_loaded_at']},
        ],
    )
}}

with

events as (

    select * from {{ ref('int_events_deduplicated') }}
    -- An incremental run's batch: the events of the loads landed since the
    -- last run (Spark: whole loads), and the events whose key's first event
    -- changed (a page view is its key's first event).
    where
        {{ incremental_by_load_batch(
            ref('int_events_deduplicated'),
            ref('stg_sparkify__loaded_files'),
            key='page_view_id',
            batch_key='event_id',
            load_runs=ref('stg_sparkify__load_runs')
        ) }}

),

final as (

    select
        event_id as page_view_id,
        user_id,
        session_id,
        item_in_session,
        page,
        auth,
        level,
        http_method,
        http_status,
        page = 'NextSong' as is_songplay,
        event_at as viewed_at,
        {{ utc_date('event_at') }} as view_date,
        _source_file,
        _file_sha256,
        _load_id,
        _loaded_at
    from events

)

select * from final
