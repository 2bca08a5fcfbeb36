-- The dbt benchmark's one-pass reference (scripts/bench.py): extract and cast
-- every field of every raw event, once, into a table. A dbt build that parses
-- the events once and then works on typed columns should cost a small multiple
-- of this; the benchmark prints the full build's time over this one's.
create table bench_reference as
select
    cast(nullif(record ->> 'userId', '') as integer) as user_id,
    cast(record ->> 'sessionId' as bigint) as session_id,
    cast(record ->> 'itemInSession' as integer) as item_in_session,
    record ->> 'page' as page,
    record ->> 'auth' as auth,
    record ->> 'level' as level,
    record ->> 'firstName' as first_name,
    record ->> 'lastName' as last_name,
    record ->> 'gender' as gender,
    record ->> 'location' as location,
    record ->> 'userAgent' as user_agent,
    record ->> 'artist' as artist_name,
    record ->> 'song' as song_title,
    record ->> 'method' as http_method,
    cast(record ->> 'length' as numeric) as length_seconds,
    cast(record ->> 'status' as integer) as http_status,
    to_timestamp(cast(record ->> 'ts' as numeric) / 1000) as event_at,
    to_timestamp(cast(record ->> 'registration' as numeric) / 1000) as registered_at,
    _source_file,
    _source_line,
    _load_id,
    _loaded_at
from raw.log_data
