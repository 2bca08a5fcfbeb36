-- One row per identified user: their first and last name as of their latest
-- event. Names are direct identifiers: this is the only model downstream of
-- staging that holds them, in a schema of its own that only the data steward
-- reads (README "Configuration"); every other mart identifies a user by
-- user_id alone.

with

latest_events as (

    select * from {{ ref('int_user_latest_events') }}

),

final as (

    select
        user_id,
        first_name,
        last_name
    from latest_events

)

select * from final
