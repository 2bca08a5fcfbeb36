-- Who upgraded or downgraded? One row per change of a user's level, from the
-- level history: every period after a user's first began with one.

with

history as (

    select * from {{ ref('dim_users_history') }}

),

with_previous_level as (

    select
        user_history_id,
        user_id,
        level,
        valid_from,
        period_number,
        is_current,
        lag(level) over (partition by user_id order by period_number) as previous_level
    from history

),

final as (

    select
        user_history_id as level_change_id,
        user_id,
        valid_from as changed_at,
        previous_level as from_level,
        level as to_level,
        cast(period_number - 1 as integer) as change_number,
        is_current as is_latest_change,
        case when level = 'paid' then 'upgrade' else 'downgrade' end as change_type
    from with_previous_level
    where period_number > 1

)

select * from final
