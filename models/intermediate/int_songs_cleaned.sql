-- One row per song record of the catalogue that breaks no data rule
-- (int_songs_checked), cleaned like the plays so the two
-- can be matched: text repaired (a no-op on the catalogue's correct UTF-8) and
-- trimmed, and the year 0 that stands for "unknown" made null.

with

songs as (

    select * from {{ ref('int_songs_checked') }}
    where quarantine_rule is null

),

cleaned as (

    select

        song_id,
        artist_id,
        nullif(trim({{ repair_mojibake('song_title') }}), '') as song_title,
        nullif(trim({{ repair_mojibake('artist_name') }}), '') as artist_name,
        nullif(trim({{ repair_mojibake('artist_location') }}), '') as artist_location,
        duration_seconds,
        nullif(release_year, 0) as release_year,
        artist_latitude,
        artist_longitude,
        _source_file,
        _file_sha256,
        _loaded_at

    from songs

)

select * from cleaned
