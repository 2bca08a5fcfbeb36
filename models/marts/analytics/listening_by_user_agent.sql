-- Which user agents need a better experience? One row per value of each user
-- agent dimension (browser, operating system, device class) with the active
-- users, listening sessions and plays on it, plays per session and each one's
-- share of its dimension's total.
--
-- A play takes the user agent its user is on (dim_users, parsed in
-- int_user_agents_parsed); a session counts when it has at least one play.

{%- set dimensions = ['browser', 'operating_system', 'device_class'] %}

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

play_agents as (

    select
        songplays.songplay_id,
        songplays.user_id,
        songplays.session_id,
        coalesce(users.browser, 'Unknown') as browser,
        coalesce(users.operating_system, 'Unknown') as operating_system,
        coalesce(users.device_class, 'unknown') as device_class
    from songplays
    inner join users
        on songplays.user_id = users.user_id

),

by_dimension as (

    {% for dimension in dimensions -%}
        select
            '{{ dimension }}' as agent_dimension,
            {{ dimension }} as agent_value,
            count(distinct user_id) as active_users,
            count(distinct session_id) as sessions,
            count(*) as plays
        from play_agents
        group by 1, 2
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        agent_dimension,
        agent_value,
        cast(active_users as integer) as active_users,
        cast(sessions as integer) as sessions,
        cast(plays as integer) as plays,
        cast(
            rank() over (partition by agent_dimension order by plays desc) as integer
        ) as plays_rank,
        cast(plays as numeric) / sessions as plays_per_session,
        cast(active_users as numeric)
        / sum(active_users) over (partition by agent_dimension) as share_of_active_users,
        cast(sessions as numeric)
        / sum(sessions) over (partition by agent_dimension) as share_of_sessions,
        cast(plays as numeric) / sum(plays) over (partition by agent_dimension) as share_of_plays
    from by_dimension

)

select * from final
