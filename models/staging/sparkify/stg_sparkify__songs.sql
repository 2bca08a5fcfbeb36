with

source as (

    {{ select_registered_versions(source('sparkify', 'song_data')) }}

),

renamed as (

    select

        -- ids
        nullif({{ json_text('record', 'song_id') }}, '') as song_id,
        nullif({{ json_text('record', 'artist_id') }}, '') as artist_id,

        -- strings
        nullif({{ json_text('record', 'title') }}, '') as song_title,
        nullif({{ json_text('record', 'artist_name') }}, '') as artist_name,
        nullif({{ json_text('record', 'artist_location') }}, '') as artist_location,

        -- numerics
        cast(
            {{ json_text('record', 'duration') }} as {{ exact_numeric_type() }}
        ) as duration_seconds,
        cast({{ json_text('record', 'year') }} as integer) as release_year,
        cast(
            {{ json_text('record', 'artist_latitude') }} as {{ double_type() }}
        ) as artist_latitude,
        cast(
            {{ json_text('record', 'artist_longitude') }} as {{ double_type() }}
        ) as artist_longitude,
        cast({{ json_text('record', 'num_songs') }} as integer) as num_songs,

        -- lineage
        _source_file,
        _source_line,
        _file_sha256,
        _load_id,
        _loaded_at

    from source

)

select * from renamed
