with

source as (

    {{ select_registered_versions(source('sparkify', 'song_data')) }}

),

-- Every field as the text the JSON gave; an empty string is no value.
extracted as (

    select

        nullif({{ json_text('record', 'song_id') }}, '') as song_id,
        nullif({{ json_text('record', 'artist_id') }}, '') as artist_id,
        nullif({{ json_text('record', 'title') }}, '') as song_title,
        nullif({{ json_text('record', 'artist_name') }}, '') as artist_name,
        nullif({{ json_text('record', 'artist_location') }}, '') as artist_location,
        {{ json_number_text('record', 'duration') }} as duration_text,
        {{ json_number_text('record', 'year') }} as release_year_text,
        {{ json_number_text('record', 'artist_latitude') }} as artist_latitude_text,
        {{ json_number_text('record', 'artist_longitude') }} as artist_longitude_text,
        {{ json_number_text('record', 'num_songs') }} as num_songs_text,
        _source_file,
        _source_line,
        _file_sha256,
        _load_id,
        _loaded_at

    from source

),

renamed as (

    select

        -- ids
        song_id,
        artist_id,

        -- strings
        song_title,
        artist_name,
        artist_location,

        -- numerics, cast safely: null where the text is not one
        {{ safe_number('duration_text', 'numeric') }} as duration_seconds,
        {{ safe_number('release_year_text', 'integer') }} as release_year,
        {{ safe_number('artist_latitude_text', 'double') }} as artist_latitude,
        {{ safe_number('artist_longitude_text', 'double') }} as artist_longitude,
        {{ safe_number('num_songs_text', 'integer') }} as num_songs,

        -- the JSON text of every field cast above, kept for the quarantine
        duration_text,
        release_year_text,
        artist_latitude_text,
        artist_longitude_text,
        num_songs_text,

        -- lineage
        _source_file,
        _source_line,
        _file_sha256,
        _load_id,
        _loaded_at

    from extracted

)

select * from renamed
