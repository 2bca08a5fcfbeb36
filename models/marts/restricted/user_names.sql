-- One row per identified user: their first and last name as of their latest
-- event. Names are direct identifiers: this is the only model downstream of
-- staging that holds them, in a schema of its own that only the data steward
-- reads (README "Configuration"); every other mart identifies a user by
-- user_id alone.

with

events as (

    select * from {{ ref('int_events_text_cleaned') }}

),

ranked_events as (

    select
        user_id,
        first_name,
        last_name,
        row_number() over (
            partition by user_id
            order by event_at desc, item_in_session desc, session_id desc
        ) as recency_rank
    from events
    where user_id is not null

),

final as (

    select
        user_id,
        first_name,
        last_name
    from ranked_events
    where recency_rank = 1

)

select * from final
