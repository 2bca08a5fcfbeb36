-- Where does the app lack traction? One row per metro area with plays (a
-- user's location as logged), with its plays, active users and plays per
-- user. Each play counts in exactly one metro area, so they add up to all
-- plays by users with a location.

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

states as (

    select * from {{ ref('us_states') }}

),

summary as (

    select * from {{ ref('listening_summary') }}

),

by_metro_area as (

    select
        users.location,
        users.metro_area,
        users.state_codes,
        count(*) as plays,
        count(distinct songplays.user_id) as active_users
    from songplays
    inner join users
        on songplays.user_id = users.user_id
    where users.location is not null
    group by 1, 2, 3

),

final as (

    select
        by_metro_area.location,
        by_metro_area.metro_area,
        -- A metro area's division and region are those of its first state,
        -- the state of its principal city.
        states.census_division,
        states.census_region,
        cast(by_metro_area.plays as integer) as plays,
        cast(by_metro_area.active_users as integer) as active_users,
        cast(rank() over (order by by_metro_area.plays desc) as integer) as plays_rank,
        cast(by_metro_area.plays as {{ exact_numeric_type() }})
        / by_metro_area.active_users as plays_per_user,
        cast(by_metro_area.plays as {{ exact_numeric_type() }}) / summary.plays as share_of_plays,
        cast(by_metro_area.active_users as {{ exact_numeric_type() }})
        / summary.listeners as share_of_active_users
    from by_metro_area
    cross join summary
    left join states
        on {{ dbt.split_part('by_metro_area.state_codes', "'-'", 1) }} = states.state_code

)

select * from final
