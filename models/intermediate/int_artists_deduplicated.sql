-- One row per artist. Song records of one artist can disagree on the artist's
-- name or whereabouts; the artist takes all of them from a single record, the
-- most complete one (coordinates, then a location), ties broken by song_id so
-- the choice is stable.

with

songs as (

    select * from {{ ref('int_songs_cleaned') }}

),

ranked as (

    select
        artist_id,
        artist_name,
        artist_location,
        artist_latitude,
        artist_longitude,
        row_number() over (
            partition by artist_id
            order by
                case
                    when artist_latitude is not null and artist_longitude is not null
                        then 0
                    else 1
                end,
                case when artist_location is not null then 0 else 1 end,
                song_id
        ) as record_rank
    from songs
    where artist_id is not null

),

final as (

    select
        artist_id,
        artist_name,
        artist_location,
        artist_latitude,
        artist_longitude
    from ranked
    where record_rank = 1

)

select * from final
