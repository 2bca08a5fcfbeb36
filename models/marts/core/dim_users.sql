-- One row per identified user: who they are as of their latest event, their
-- current level, and when they were first and last seen. Their names are not
-- here: they live in restricted.user_names, which analysts cannot read.

with

latest_events as (

    select * from {{ ref('int_user_latest_events') }}

),

level_periods as (

    select * from {{ ref('int_user_level_periods') }}

),

user_agents as (

    select * from {{ ref('int_user_agents_parsed') }}

),

locations as (

    select * from {{ ref('int_locations_split') }}

),

periods_by_user as (

    select
        user_id,
        max(case when valid_to is null then level end) as level,
        count(*) - 1 as level_changes_count,
        -- The periods cover every event of the user.
        min(valid_from) as first_seen_at,
        max(last_event_at) as last_seen_at
    from level_periods
    group by 1

),

final as (

    select
        latest.user_id,
        latest.gender,
        periods_by_user.level,
        latest.registered_at,
        latest.location,
        locations.metro_area,
        locations.state_codes,
        user_agents.user_agent,
        user_agents.browser,
        user_agents.operating_system,
        user_agents.device_class,
        periods_by_user.first_seen_at,
        periods_by_user.last_seen_at,
        cast(periods_by_user.level_changes_count as integer) as level_changes_count
    from latest_events as latest
    inner join periods_by_user
        on latest.user_id = periods_by_user.user_id
    left join locations
        on latest.location = locations.location
    left join user_agents
        on latest.user_agent_raw = user_agents.user_agent_raw

)

select * from final
