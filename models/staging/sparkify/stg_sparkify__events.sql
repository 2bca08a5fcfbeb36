with

source as (

    {{ select_registered_versions(source('sparkify', 'log_data')) }}

),

renamed as (

    select

        -- ids
        cast(nullif({{ json_text('record', 'userId') }}, '') as integer) as user_id,
        cast({{ json_text('record', 'sessionId') }} as bigint) as session_id,
        cast({{ json_text('record', 'itemInSession') }} as integer) as item_in_session,

        -- strings
        nullif({{ json_text('record', 'page') }}, '') as page,
        nullif({{ json_text('record', 'auth') }}, '') as auth,
        nullif({{ json_text('record', 'level') }}, '') as level,
        nullif({{ json_text('record', 'firstName') }}, '') as first_name,
        nullif({{ json_text('record', 'lastName') }}, '') as last_name,
        nullif({{ json_text('record', 'gender') }}, '') as gender,
        nullif({{ json_text('record', 'location') }}, '') as location,
        nullif({{ json_text('record', 'userAgent') }}, '') as user_agent,
        nullif({{ json_text('record', 'artist') }}, '') as artist_name,
        nullif({{ json_text('record', 'song') }}, '') as song_title,
        nullif({{ json_text('record', 'method') }}, '') as http_method,

        -- numerics
        cast({{ json_text('record', 'length') }} as {{ exact_numeric_type() }}) as length_seconds,
        cast({{ json_text('record', 'status') }} as integer) as http_status,

        -- timestamps
        {{ epoch_ms_to_timestamp(json_text('record', 'ts')) }} as event_at,
        {{ epoch_ms_to_timestamp(json_text('record', 'registration')) }} as registered_at,

        -- lineage
        _source_file,
        _source_line,
        _file_sha256,
        _load_id,
        _loaded_at

    from source

)

select * from renamed
