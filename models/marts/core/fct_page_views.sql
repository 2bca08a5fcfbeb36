-- One row per app event that breaks no data rule, every page (NextSong included): the grain of
-- questions about what users do in the app rather than what they play. A
-- table rebuilt on every run (see its YAML for why not incremental).

with

events as (

    select * from {{ ref('int_events_text_cleaned') }}

),

final as (

    select
        {{ surrogate_key(['session_id', 'item_in_session']) }} as page_view_id,
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
        _source_file
    from events

)

select * from final
