-- One row per staged app event, with the first data rule it breaks (README
-- "Data rules"): rows that break none go on to the star schema, the others
-- to quality.quarantined_events, so every event lands in exactly one of the
-- two. A table: the rules read every event once per build.

{{ config(materialized='table') }}

{% set domains = var('event_domains') -%}
{%- set earliest = utc_timestamp(var('earliest_plausible_time')) -%}
{%- set max_length = var('max_plausible_length_seconds') -%}

{#- (condition, rule, JSON field, raw value), checked in this order. -#}
{%- set rules = [
    ("user_id_text is not null and user_id is null", 'uncastable', 'userId', 'user_id_text'),
    ("session_id_text is not null and session_id is null", 'uncastable', 'sessionId', 'session_id_text'),
    ("item_in_session_text is not null and item_in_session is null", 'uncastable', 'itemInSession', 'item_in_session_text'),
    ("length_text is not null and length_seconds is null", 'uncastable', 'length', 'length_text'),
    ("http_status_text is not null and http_status is null", 'uncastable', 'status', 'http_status_text'),
    ("event_ms_text is not null and event_at is null", 'uncastable', 'ts', 'event_ms_text'),
    ("registration_ms_text is not null and registered_at is null", 'uncastable', 'registration', 'registration_ms_text'),
    ("event_at is null", 'missing_value', 'ts', 'event_ms_text'),
    ("page is null", 'missing_value', 'page', 'page'),
    ("session_id is null", 'missing_value', 'sessionId', 'session_id_text'),
    ("item_in_session is null", 'missing_value', 'itemInSession', 'item_in_session_text'),
    ("auth is null", 'missing_value', 'auth', 'auth'),
    ("level is null", 'missing_value', 'level', 'level'),
    ("page = 'NextSong' and length_seconds is null", 'missing_value', 'length', 'length_text'),
    ("page not in (" ~ quoted_list(domains.page) ~ ")", 'unknown_value', 'page', 'page'),
    ("auth not in (" ~ quoted_list(domains.auth) ~ ")", 'unknown_value', 'auth', 'auth'),
    ("level not in (" ~ quoted_list(domains.level) ~ ")", 'unknown_value', 'level', 'level'),
    ("gender not in (" ~ quoted_list(domains.gender) ~ ")", 'unknown_value', 'gender', 'gender'),
    ("http_method not in (" ~ quoted_list(domains.http_method) ~ ")", 'unknown_value', 'method', 'http_method'),
    ("auth in ('Logged In', 'Cancelled') and user_id is null", 'logged_in_without_user', 'userId', 'user_id_text'),
    ("event_at < " ~ earliest ~ " or event_at > _loaded_at + interval '1' day", 'implausible_time', 'ts', 'event_ms_text'),
    ("registered_at < " ~ earliest ~ " or registered_at > _loaded_at + interval '1' day", 'implausible_time', 'registration', 'registration_ms_text'),
    ("length_seconds < 0 or length_seconds > " ~ max_length, 'implausible_length', 'length', 'length_text'),
] -%}

with

events as (

    select * from {{ ref('stg_sparkify__events') }}

),

-- The first rule each event breaks, by its number in the list above.
rule_numbers as (

    select
        *,
        {{ broken_rule_number(rules) }} as broken_rule_number
    from events
    {{ evaluate_once() }}

),

checked as (

    select
        *,
        {{ broken_rule_columns(rules, 'broken_rule_number') }}
    from rule_numbers

),

-- Among the events that break no other rule, the first of each event key
-- (by file and line, so the choice never depends on the order of loads)
-- stands; the others are duplicates.
ranked as (

    select
        *,
        case
            when quarantine_rule is null
                then row_number() over (
                    partition by session_id, item_in_session, quarantine_rule
                    order by _source_file, _source_line
                )
        end as key_rank
    from checked

),

final as (

    select
        user_id,
        session_id,
        item_in_session,
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
        length_seconds,
        http_status,
        event_at,
        registered_at,
        user_id_text,
        session_id_text,
        item_in_session_text,
        length_text,
        http_status_text,
        event_ms_text,
        registration_ms_text,
        _source_file,
        _source_line,
        _file_sha256,
        _load_id,
        _loaded_at,
        case
            when key_rank > 1 then 'duplicate_key' else quarantine_rule
        end as quarantine_rule,
        case
            when key_rank > 1 then 'sessionId, itemInSession' else quarantine_field
        end as quarantine_field,
        case
            when key_rank > 1
                then concat(session_id_text, ', ', item_in_session_text)
            else quarantine_value
        end as quarantine_value
    from ranked

)

select * from final
