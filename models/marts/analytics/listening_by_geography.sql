-- Where does the app lack traction? One row per geography: each census
-- region, census division, state and metro area with plays, with its plays,
-- active users and plays per user.
--
-- A play is placed at its user's location (dim_users). The multi-state rule:
-- a play from a metro area that spans several states ("NY-NJ-PA") counts once
-- in each of those states, and once in each division and region they touch
-- (a New York play is one Middle Atlantic play, not three). So states add up
-- to more plays than there are, while each play counts once per metro area.

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

play_locations as (

    select
        songplays.songplay_id,
        songplays.user_id,
        users.location,
        users.state_codes
    from songplays
    inner join users
        on songplays.user_id = users.user_id
    where users.location is not null

),

-- One row per play and state its location spans (the multi-state rule).
play_states as (

    select distinct
        play_locations.songplay_id,
        play_locations.user_id,
        location_states.state_code
    from play_locations
    cross join lateral unnest(
        string_to_array(play_locations.state_codes, '-')
    ) as location_states (state_code)

),

-- States missing from the seed stay here, with no region, for the
-- relationships test to catch.
play_states_mapped as (

    select
        play_states.songplay_id,
        play_states.user_id,
        play_states.state_code,
        states.state_name,
        states.census_division,
        states.census_region
    from play_states
    left join states
        on play_states.state_code = states.state_code

),

metro_areas as (

    select distinct
        location,
        state_codes
    from play_locations

),

-- A metro area's division and region are those of its first state, the
-- state of its principal city.
metro_area_regions as (

    select
        metro_areas.location,
        states.census_division,
        states.census_region
    from metro_areas
    left join states
        on {{ dbt.split_part('metro_areas.state_codes', "'-'", 1) }} = states.state_code

),

by_metro_area as (

    select
        'metro_area' as geography_level,
        play_locations.location as geography_key,
        play_locations.location as geography_name,
        metro_area_regions.census_division,
        metro_area_regions.census_region,
        count(*) as plays,
        count(distinct play_locations.user_id) as active_users
    from play_locations
    inner join metro_area_regions
        on play_locations.location = metro_area_regions.location
    group by 2, 3, 4, 5

),

by_state as (

    select
        'state' as geography_level,
        state_code as geography_key,
        coalesce(state_name, state_code) as geography_name,
        census_division,
        census_region,
        count(*) as plays,
        count(distinct user_id) as active_users
    from play_states_mapped
    group by 2, 3, 4, 5

),

by_census_division as (

    select
        'census_division' as geography_level,
        census_division as geography_key,
        census_division as geography_name,
        census_division,
        census_region,
        count(distinct songplay_id) as plays,
        count(distinct user_id) as active_users
    from play_states_mapped
    where census_division is not null
    group by 2, 3, 4, 5

),

by_census_region as (

    select
        'census_region' as geography_level,
        census_region as geography_key,
        census_region as geography_name,
        cast(null as text) as census_division,
        census_region,
        count(distinct songplay_id) as plays,
        count(distinct user_id) as active_users
    from play_states_mapped
    where census_region is not null
    group by 2, 3, 4, 5

),

geographies as (

    select * from by_census_region
    union all
    select * from by_census_division
    union all
    select * from by_state
    union all
    select * from by_metro_area

),

totals as (

    select
        count(*) as plays,
        count(distinct user_id) as active_users
    from songplays

),

final as (

    select
        geographies.geography_level,
        geographies.geography_key,
        geographies.geography_name,
        geographies.census_division,
        geographies.census_region,
        cast(geographies.plays as integer) as plays,
        cast(geographies.active_users as integer) as active_users,
        cast(
            rank() over (
                partition by geographies.geography_level
                order by geographies.plays desc
            ) as integer
        ) as plays_rank,
        cast(geographies.plays as numeric) / geographies.active_users as plays_per_user,
        cast(geographies.plays as numeric) / totals.plays as share_of_plays,
        cast(geographies.active_users as numeric) / totals.active_users as share_of_active_users
    from geographies
    cross join totals

)

select * from final
