-- One row per event that breaks no row rule (int_events_checked) but repeats
-- the event key (sessionId, itemInSession) of such an event earlier by file
-- and line: the data rule `duplicate_key` (README "Data rules"). The first of
-- each key stands, so the choice never depends on the order of loads. Across
-- every event, so a table rebuilt on every run; it reads only the keys, their
-- JSON text (for the quarantine) and the lineage, and holds only duplicates.

{{ config(materialized='table') }}

with

event_keys as (

    select
        session_id,
        item_in_session,
        session_id_text,
        item_in_session_text,
        _source_file,
        _source_line,
        _load_id,
        _loaded_at
    from {{ ref('int_events_checked') }}
    where quarantine_rule is null

),

ranked as (

    select
        *,
        row_number() over (
            partition by session_id, item_in_session
            order by _source_file, _source_line
        ) as key_rank
    from event_keys

),

final as (

    select
        session_id,
        item_in_session,
        session_id_text,
        item_in_session_text,
        _source_file,
        _source_line,
        _load_id,
        _loaded_at
    from ranked
    where key_rank > 1

)

select * from final
