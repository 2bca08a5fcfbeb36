-- Where does the app lack traction? One row per census region with plays,
-- with its plays, active users, plays per user and its rank by them (the
-- region with the fewest plays per user has the least traction). A play
-- counts once per region its location's states touch: a Cincinnati, OH-KY-IN
-- play is one Midwest and one South play.

with

listener_states as (

    select * from {{ ref('int_listener_states') }}

),

-- A listener's plays count once in each region their states touch.
listener_regions as (

    select distinct
        user_id,
        plays,
        census_region
    from listener_states
    where census_region is not null

),

summary as (

    select * from {{ ref('listening_summary') }}

),

by_region as (

    select
        census_region,
        sum(plays) as plays,
        count(*) as active_users
    from listener_regions
    group by 1

),

final as (

    select
        by_region.census_region,
        cast(by_region.plays as integer) as plays,
        cast(by_region.active_users as integer) as active_users,
        cast(rank() over (order by by_region.plays desc) as integer) as plays_rank,
        cast(
            rank() over (
                order by
                    cast(by_region.plays as {{ exact_numeric_type() }})
                    / by_region.active_users
            ) as integer
        ) as least_traction_rank,
        cast(by_region.plays as {{ exact_numeric_type() }})
        / by_region.active_users as plays_per_user,
        cast(by_region.plays as {{ exact_numeric_type() }}) / summary.plays as share_of_plays,
        cast(by_region.active_users as {{ exact_numeric_type() }})
        / summary.listeners as share_of_active_users
    from by_region
    cross join summary

)

select * from final
