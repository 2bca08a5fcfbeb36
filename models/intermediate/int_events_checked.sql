-- One row per staged app event, with the first data rule the event itself
-- breaks (README "Data rules"). Whether an event repeats the key of another
-- is decided across events, in int_event_duplicates; the events that break no
-- rule here and are no duplicate go on to the star schema, the others to
-- quality.quarantined_events, so every event lands in exactly one of the two.
-- Incremental (macros/incremental_by_load.sql): each event is parsed and
-- checked in the first run after its file version is loaded (after changing
-- a rule or its vars: --full-refresh). Its `_loaded_at` index serves each
-- incremental run's watermark (the latest `_loaded_at`) and the cleaned
-- events' batch; its `_built_at` index the row tests, which read only the
-- rows written since they last passed (macros/test_watermarks.sql).

{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_by_load_strategy(),
        partition_by=incremental_by_load_partition_by(),
        file_format='parquet',
        on_schema_change='fail',
        pre_hook=[
            "{{ delete_replaced_file_versions(ref('stg_sparkify__loaded_files'), ref('stg_sparkify__load_runs')) }}"
        ],
        post_hook=[
            "{{ drop_emptied_partitions(ref('stg_sparkify__events')) }}"
        ],
        indexes=[
            {'columns': ['_loaded_at']},
            {'columns': ['_built_at']},
        ],
    )
}}

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
    -- An incremental run's batch: the events of the loads landed since the
    -- last run (Spark: whole loads, and those whose replaced versions must go).
    where
        {{ incremental_by_load_batch(
            ref('stg_sparkify__events'), ref('stg_sparkify__loaded_files')
        ) }}
    -- Below the batch's condition, which reaches the raw table's scan through
    -- the staging view: only the batch's JSON is extracted, and the rules
    -- below read the columns computed here.
    {{ evaluate_once() }}

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
        {{ built_at() }} as _built_at,
        quarantine_rule,
        quarantine_field,
        quarantine_value
    from checked

)

select * from final
