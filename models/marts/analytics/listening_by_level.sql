-- Free vs paid: one row per subscription level with the share of users on it (by their
-- current level), its plays and their share (by the level at the time of the
-- play), listening time per listening user, and how many users switched to
-- and from it (from the level history).

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

history as (

    select * from {{ ref('dim_users_history') }}

),

levels as (

    select distinct level
    from history

),

current_users as (

    select
        level,
        count(*) as current_users
    from users
    group by 1

),

level_plays as (

    select
        level,
        count(*) as plays,
        count(distinct user_id) as listening_users,
        coalesce(sum(length_seconds), 0) as listening_seconds
    from songplays
    group by 1

),

-- A period after the first began with a switch to its level; a period with an
-- end ended with a switch from it.
switches as (

    select
        level,
        count(distinct case when period_number > 1 then user_id end) as users_switched_to,
        count(distinct case when valid_to is not null then user_id end) as users_switched_from
    from history
    group by 1

),

final as (

    select
        levels.level,
        cast(coalesce(current_users.current_users, 0) as integer) as current_users,
        cast(coalesce(level_plays.listening_users, 0) as integer) as listening_users,
        cast(coalesce(level_plays.plays, 0) as integer) as plays,
        cast(
            coalesce(level_plays.listening_seconds, 0) as {{ exact_numeric_type() }}
        ) as listening_seconds,
        cast(coalesce(switches.users_switched_to, 0) as integer) as users_switched_to,
        cast(coalesce(switches.users_switched_from, 0) as integer) as users_switched_from,
        cast(coalesce(current_users.current_users, 0) as {{ exact_numeric_type() }})
        / sum(current_users.current_users) over () as share_of_current_users,
        cast(coalesce(level_plays.plays, 0) as {{ exact_numeric_type() }})
        / sum(level_plays.plays) over () as share_of_plays,
        cast(level_plays.listening_seconds as {{ exact_numeric_type() }})
        / nullif(level_plays.listening_users, 0) as listening_seconds_per_user,
        cast(level_plays.listening_seconds as {{ exact_numeric_type() }}) / 3600
        / nullif(level_plays.listening_users, 0) as listening_hours_per_user,
        cast(level_plays.plays as {{ exact_numeric_type() }})
        / nullif(level_plays.listening_users, 0) as plays_per_user
    from levels
    left join current_users
        on levels.level = current_users.level
    left join level_plays
        on levels.level = level_plays.level
    left join switches
        on levels.level = switches.level

)

select * from final
