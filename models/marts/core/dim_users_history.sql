{{
    config(
        indexes=[
            {'columns': ['user_id', 'valid_from']},
        ],
    )
}}

-- Type-2 history of each user's level, at timestamp grain, rebuilt from all
-- events on every run (a snapshot would only see the level at run time).

with

level_periods as (

    select * from {{ ref('int_user_level_periods') }}

),

final as (

    select
        {{ surrogate_key(['user_id', timestamp_key_text('valid_from')]) }} as user_history_id,
        user_id,
        level,
        valid_from,
        valid_to,
        valid_to is null as is_current,
        period_number,
        last_event_at,
        events_count
    from level_periods

)

select * from final
