-- The original exercise's question: what proportion of active users is in
-- each region? Asked of the star schema: users who played at least one song,
-- by the census region of their location's states (a user of a multi-state
-- metro area counts in each region it touches, so proportions can add up to
-- more than 1).

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

active_users as (

    select distinct
        users.user_id,
        users.state_codes
    from songplays
    inner join users
        on songplays.user_id = users.user_id

),

user_regions as (

    select distinct
        active_users.user_id,
        states.census_region
    from active_users
    inner join states
        on
            '-' || active_users.state_codes || '-'
            like '%-' || states.state_code || '-%'

),

final as (

    select
        user_regions.census_region,
        count(*) as active_users,
        round(
            100.0 * count(*) / (select count(*) as active_user_count from active_users), 1
        ) as percent_of_active_users
    from user_regions
    group by 1

)

select * from final
order by 2 desc
