-- Each user's level periods in dim_users_history tile time without gaps or
-- overlaps: every period ends where the next one starts, consecutive periods
-- differ in level, exactly the last one is current, and dim_users shows the
-- current level. Returns the offending periods.

with

history as (

    select * from {{ ref('dim_users_history') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

compared as (

    select
        history.user_id,
        history.valid_from,
        history.valid_to,
        history.level,
        history.is_current,
        users.level as user_level,
        lead(history.valid_from) over (
            partition by history.user_id order by history.valid_from
        ) as next_valid_from,
        lead(history.level) over (
            partition by history.user_id order by history.valid_from
        ) as next_level
    from history
    left join users
        on history.user_id = users.user_id

)

select *
from compared
where
    valid_to is distinct from next_valid_from
    or level = next_level
    or is_current <> (next_valid_from is null)
    or (is_current and level is distinct from user_level)
