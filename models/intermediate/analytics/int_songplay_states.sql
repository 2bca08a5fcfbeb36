-- One row per song play and US state its user's location spans (the
-- multi-state rule): a play from "New York-Newark-Jersey City, NY-NJ-PA" has
-- three rows. Each state carries its census division and region from the
-- us_states seed; a state missing from the seed keeps its row with no
-- division or region. Plays by users without a location have no row.

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

play_states as (

    select distinct
        songplays.songplay_id,
        songplays.user_id,
        location_states.state_code
    from songplays
    inner join users
        on songplays.user_id = users.user_id
    {{ join_split_parts('users.state_codes', '-', 'location_states', 'state_code') }}
    where users.location is not null

),

final as (

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

)

select * from final
