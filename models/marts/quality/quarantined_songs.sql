-- One row per song record that breaks a data rule (README "Data rules"):
-- the rule, the JSON field and its raw text, and where the record came from.
-- None of these rows reaches the star schema or the marts.

with

checked as (

    select * from {{ ref('int_songs_checked') }}
    where quarantine_rule is not null

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
    from checked

)

select * from final
