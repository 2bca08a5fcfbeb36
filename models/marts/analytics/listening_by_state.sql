-- Where does the app lack traction? One row per US state with plays, with its
-- plays, active users and plays per user. The multi-state rule: a play from a
-- metro area spanning several states ("NY-NJ-PA") counts once in each, so the
-- states add up to more plays than there are.

with

listener_states as (

    select * from {{ ref('int_listener_states') }}

),

summary as (

    select * from {{ ref('listening_summary') }}

),

by_state as (

    select
        state_code,
        census_division,
        census_region,
        -- States missing from the seed keep their code as a name, and no
        -- region, for the relationships test to catch.
        coalesce(state_name, state_code) as state_name,
        sum(plays) as plays,
        count(*) as active_users
    from listener_states
    group by 1, 2, 3, 4

),

final as (

    select
        by_state.state_code,
        by_state.state_name,
        by_state.census_division,
        by_state.census_region,
        cast(by_state.plays as integer) as plays,
        cast(by_state.active_users as integer) as active_users,
        cast(rank() over (order by by_state.plays desc) as integer) as plays_rank,
        cast(by_state.plays as {{ exact_numeric_type() }})
        / by_state.active_users as plays_per_user,
        cast(by_state.plays as {{ exact_numeric_type() }}) / summary.plays as share_of_plays,
        cast(by_state.active_users as {{ exact_numeric_type() }})
        / summary.listeners as share_of_active_users
    from by_state
    cross join summary

)

select * from final
