-- One row per song play (NextSong event), matched to the catalogue song with
-- the same title, artist name and duration. Most plays match nothing: their
-- song_id and artist_id stay null. A view: filters on the play's columns
-- (such as the incremental fact's `_loaded_at`) apply to the cleaned events
-- before the match.

with

events as (

    select * from {{ ref('int_events_deduplicated') }}

),

songs as (

    select * from {{ ref('int_songs_cleaned') }}

),

plays as (

    select * from events
    where page = 'NextSong'

),

ranked_songs as (

    select
        song_title,
        artist_name,
        duration_seconds,
        song_id,
        artist_id,
        row_number() over (
            partition by song_title, artist_name, duration_seconds
            order by song_id
        ) as match_rank
    from songs

),

-- One song per (title, artist, duration), so that a play never matches twice.
song_matches as (

    select * from ranked_songs
    where match_rank = 1

),

matched as (

    select

        plays.event_id as songplay_id,
        plays.event_at,
        plays.user_id,
        plays.level,
        song_matches.song_id,
        song_matches.artist_id,
        plays.session_id,
        plays.item_in_session,
        plays.location,
        plays.user_agent,
        plays.song_title,
        plays.artist_name,
        plays.length_seconds,
        plays._source_file,
        plays._file_sha256,
        plays._load_id,
        plays._loaded_at

    from plays

    left join song_matches
        on
            plays.song_title = song_matches.song_title
            and plays.artist_name = song_matches.artist_name
            and plays.length_seconds = song_matches.duration_seconds

)

select * from matched
