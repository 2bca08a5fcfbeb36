-- One row per listener (a user with plays) and US state their location spans
-- (the multi-state rule), with the listener's plays: a user in "New
-- York-Newark-Jersey City, NY-NJ-PA" has three rows, each with all of their
-- plays. Each state carries its census division and region from the
-- us_states seed; a state missing from the seed keeps its row with no
-- division or region. Users without a location have no row. A play's states
-- are its user's, so the geography marts count plays from this per-user
-- grain instead of a row per play and state.

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

plays_per_user as (

    select
        user_id,
        count(*) as plays
    from songplays
    group by 1

),

listener_states as (

    select distinct
        plays_per_user.user_id,
        plays_per_user.plays,
        location_states.state_code
    from plays_per_user
    inner join users
        on plays_per_user.user_id = users.user_id
    {{ join_split_parts('users.state_codes', '-', 'location_states', 'state_code') }}
    where users.location is not null

),

final as (

    select
        listener_states.user_id,
        listener_states.plays,
        listener_states.state_code,
        states.state_name,
        states.census_division,
        states.census_region
    from listener_states
    left join states
        on listener_states.state_code = states.state_code

)

select * from final
