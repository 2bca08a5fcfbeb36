-- One row per distinct location, split at its last comma into the metro area
-- and the hyphen-separated state codes: "St. Louis, MO-IL" gives "St. Louis"
-- and "MO-IL" (primary state "MO"). A location without state codes is kept
-- whole as the metro area.
-- A table (a few hundred rows): the dimension and its tests read it, not the
-- events.

{{ config(materialized='table') }}

with

events as (

    select * from {{ ref('int_events_deduplicated') }}

),

locations as (

    select distinct location
    from events
    where location is not null

),

split as (

    select
        location,
        {{ regexp_substring('location', ', ([A-Z]{2}(-[A-Z]{2})*)$') }} as state_codes
    from locations

),

final as (

    select
        location,
        state_codes,
        case
            when state_codes is null then location
            else left(location, length(location) - length(state_codes) - 2)
        end as metro_area,
        left(state_codes, 2) as primary_state_code
    from split

)

select * from final
