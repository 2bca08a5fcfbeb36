-- One row per event record that breaks a data rule (README "Data rules"):
-- the rule, the JSON field and its raw text, and where the record came from.
-- None of these rows reaches the star schema or the marts.

with

broken_rules as (

    select
        _source_file,
        _source_line,
        quarantine_rule,
        quarantine_field,
        quarantine_value,
        _load_id,
        _loaded_at
    from {{ ref('int_events_checked') }}
    where quarantine_rule is not null

),

duplicates as (

    select
        _source_file,
        _source_line,
        'duplicate_key' as quarantine_rule,
        'sessionId, itemInSession' as quarantine_field,
        concat(session_id_text, ', ', item_in_session_text) as quarantine_value,
        _load_id,
        _loaded_at
    from {{ ref('int_event_duplicates') }}

),

quarantined as (

    select * from broken_rules
    union all
    select * from duplicates

),

final as (

    select
        _source_file as source_file,
        _source_line as source_line,
        quarantine_rule as data_rule,
        quarantine_field as field,
        quarantine_value as raw_value,
        _load_id as load_id,
        _loaded_at as loaded_at
    from quarantined

)

select * from final
