-- Where does the app lack traction? One row per census division with plays,
-- with its plays, active users and plays per user. A play counts once per
-- division its location's states touch: a New York-Newark-Jersey City,
-- NY-NJ-PA play is one Middle Atlantic play, not three.

with

listener_states as (

    select * from {{ ref('int_listener_states') }}

),

-- A listener's plays count once in each division their states touch.
listener_divisions as (

    select distinct
        user_id,
        plays,
        census_division,
        census_region
    from listener_states
    where census_division is not null

),

summary as (

    select * from {{ ref('listening_summary') }}

),

by_division as (

    select
        census_division,
        census_region,
        sum(plays) as plays,
        count(*) as active_users
    from listener_divisions
    group by 1, 2

),

final as (

    select
        by_division.census_division,
        by_division.census_region,
        cast(by_division.plays as integer) as plays,
        cast(by_division.active_users as integer) as active_users,
        cast(rank() over (order by by_division.plays desc) as integer) as plays_rank,
        cast(by_division.plays as {{ exact_numeric_type() }})
        / by_division.active_users as plays_per_user,
        cast(by_division.plays as {{ exact_numeric_type() }}) / summary.plays as share_of_plays,
        cast(by_division.active_users as {{ exact_numeric_type() }})
        / summary.listeners as share_of_active_users
    from by_division
    cross join summary

)

select * from final
