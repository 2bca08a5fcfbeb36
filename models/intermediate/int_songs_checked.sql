-- One row per staged song record, with the first data rule it breaks (README
-- "Data rules"): records that break none go on to the catalogue, the others
-- to quality.quarantined_songs, so every record lands in exactly one of the
-- two.

{% set max_length = var('max_plausible_length_seconds') -%}

{#- (condition, rule, JSON field, raw value), checked in this order. -#}
{%- set rules = [
    ("duration_text is not null and duration_seconds is null", 'uncastable', 'duration', 'duration_text'),
    ("release_year_text is not null and release_year is null", 'uncastable', 'year', 'release_year_text'),
    ("artist_latitude_text is not null and artist_latitude is null", 'uncastable', 'artist_latitude', 'artist_latitude_text'),
    ("artist_longitude_text is not null and artist_longitude is null", 'uncastable', 'artist_longitude', 'artist_longitude_text'),
    ("num_songs_text is not null and num_songs is null", 'uncastable', 'num_songs', 'num_songs_text'),
    ("song_id is null", 'missing_value', 'song_id', 'song_id'),
    ("artist_id is null", 'missing_value', 'artist_id', 'artist_id'),
    ("song_title is null", 'missing_value', 'title', 'song_title'),
    ("duration_seconds is null", 'missing_value', 'duration', 'duration_text'),
    ("duration_seconds < 0 or duration_seconds > " ~ max_length, 'implausible_length', 'duration', 'duration_text'),
    ("artist_latitude not between -90 and 90", 'implausible_location', 'artist_latitude', 'artist_latitude_text'),
    ("artist_longitude not between -180 and 180", 'implausible_location', 'artist_longitude', 'artist_longitude_text'),
] -%}

with

songs as (

    select * from {{ ref('stg_sparkify__songs') }}

),

-- The first rule each record breaks, by its number in the list above.
rule_numbers as (

    select
        *,
        {{ broken_rule_number(rules) }} as broken_rule_number
    from songs
    {{ evaluate_once() }}

),

checked as (

    select
        *,
        {{ broken_rule_columns(rules, 'broken_rule_number') }},
        {{ surrogate_key([
            'song_title', 'artist_id', 'artist_name', 'artist_location',
            'duration_text', 'release_year_text', 'artist_latitude_text',
            'artist_longitude_text',
        ]) }} as content_hash
    from rule_numbers

),

-- Among the records that break no other rule, those of a song_id whose
-- records differ: which one is right cannot be told, so none is published.
compared as (

    select
        *,
        (
            min(content_hash) over (partition by song_id, quarantine_rule)
            <> max(content_hash) over (partition by song_id, quarantine_rule)
        ) as has_conflicting_records
    from checked

),

final as (

    select
        song_id,
        artist_id,
        song_title,
        artist_name,
        artist_location,
        duration_seconds,
        release_year,
        artist_latitude,
        artist_longitude,
        num_songs,
        duration_text,
        release_year_text,
        artist_latitude_text,
        artist_longitude_text,
        num_songs_text,
        _source_file,
        _source_line,
        _file_sha256,
        _load_id,
        _loaded_at,
        case
            when quarantine_rule is null and has_conflicting_records
                then 'conflicting_records'
            else quarantine_rule
        end as quarantine_rule,
        case
            when quarantine_rule is null and has_conflicting_records
                then 'song_id'
            else quarantine_field
        end as quarantine_field,
        case
            when quarantine_rule is null and has_conflicting_records
                then song_id
            else quarantine_value
        end as quarantine_value
    from compared

)

select * from final
