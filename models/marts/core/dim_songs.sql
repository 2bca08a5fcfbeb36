-- One row per song of the catalogue. A song_id may come in more than one
-- record of the same content (records that differ are quarantined, see
-- int_songs_checked): the most recently loaded one stands for them.

with

songs as (

    select * from {{ ref('int_songs_cleaned') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by song_id
            order by _loaded_at desc, _source_file desc
        ) as recency_rank
    from songs
    where song_id is not null

),

final as (

    select
        song_id,
        song_title as title,
        artist_id,
        release_year as year,
        duration_seconds as duration
    from ranked
    where recency_rank = 1

)

select * from final
