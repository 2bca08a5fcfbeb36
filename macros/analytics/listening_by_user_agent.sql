{#-
    The body of a listening-by-user-agent model: one row per value of one user
    agent `dimension` of dim_users (browser, operating_system or device_class,
    parsed in int_user_agents_parsed), `unknown` for users without a user
    agent, with the active users, listening sessions (sessions with at least
    one play) and plays on it, plays per session, and its share of each. A
    play takes the user agent its user is on.
-#}
{% macro listening_by_user_agent(dimension, unknown) -%}

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

play_agents as (

    select
        songplays.user_id,
        songplays.session_id,
        coalesce(users.{{ dimension }}, '{{ unknown }}') as {{ dimension }}
    from songplays
    inner join users
        on songplays.user_id = users.user_id

),

by_value as (

    select
        {{ dimension }},
        count(distinct user_id) as active_users,
        count(distinct session_id) as sessions,
        count(*) as plays
    from play_agents
    group by 1

),

final as (

    select
        {{ dimension }},
        cast(active_users as integer) as active_users,
        cast(sessions as integer) as sessions,
        cast(plays as integer) as plays,
        cast(rank() over (order by plays desc) as integer) as plays_rank,
        cast(plays as {{ exact_numeric_type() }}) / sessions as plays_per_session,
        cast(active_users as {{ exact_numeric_type() }})
        / sum(active_users) over () as share_of_active_users,
        cast(sessions as {{ exact_numeric_type() }}) / sum(sessions) over () as share_of_sessions,
        cast(plays as {{ exact_numeric_type() }}) / sum(plays) over () as share_of_plays
    from by_value

)

select * from final

{%- endmacro %}
