with

source as (

    {{ select_registered_versions(source('sparkify', 'log_data')) }}

),

-- Every field as the text the JSON gave; an empty string is no value.
extracted as (

    select

        nullif({{ json_text('record', 'userId') }}, '') as user_id_text,
        {{ json_number_text('record', 'sessionId') }} as session_id_text,
        {{ json_number_text('record', 'itemInSession') }} as item_in_session_text,
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
        {{ json_number_text('record', 'length') }} as length_text,
        {{ json_number_text('record', 'status') }} as http_status_text,
        {{ json_number_text('record', 'ts') }} as event_ms_text,
        {{ json_number_text('record', 'registration') }} as registration_ms_text,
        _source_file,
        _source_line,
        _file_sha256,
        _load_id,
        _loaded_at

    from source

),

-- The numbers, cast safely: null where the text is not one (its text stays).
typed as (

    select
        *,
        {{ safe_number('user_id_text', 'integer') }} as user_id,
        {{ safe_number('session_id_text', 'bigint') }} as session_id,
        {{ safe_number('item_in_session_text', 'integer') }} as item_in_session,
        {{ safe_number('length_text', 'numeric') }} as length_seconds,
        {{ safe_number('http_status_text', 'integer') }} as http_status,
        {{ safe_number('event_ms_text', 'numeric') }} as event_ms,
        {{ safe_number('registration_ms_text', 'numeric') }} as registration_ms
    from extracted

),

renamed as (

    select

        -- ids
        user_id,
        session_id,
        item_in_session,

        -- strings
        page,
        auth,
        level,
        first_name,
        last_name,
        gender,
        location,
        user_agent,
        artist_name,
        song_title,
        http_method,

        -- numerics
        length_seconds,
        http_status,

        -- timestamps
        {{ epoch_ms_to_timestamp('event_ms') }} as event_at,
        {{ epoch_ms_to_timestamp('registration_ms') }} as registered_at,

        -- the JSON text of every field cast above, kept for the quarantine
        user_id_text,
        session_id_text,
        item_in_session_text,
        length_text,
        http_status_text,
        event_ms_text,
        registration_ms_text,

        -- lineage
        _source_file,
        _source_line,
        _file_sha256,
        _load_id,
        _loaded_at

    from typed

)

select * from renamed
