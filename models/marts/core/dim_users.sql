-- One row per identified user: who they are as of their latest event, their
-- current level, and when they were first and last seen. Their names are not
-- here: they live in restricted.user_names, which analysts cannot read.

with

events as (

    select * from {{ ref('int_events_text_cleaned') }}

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

ranked_events as (

    select
        user_id,
        gender,
        registered_at,
        location,
        user_agent_raw,
        event_at,
        row_number() over (
            partition by user_id
            order by event_at desc, item_in_session desc, session_id desc
        ) as recency_rank
    from events
    where user_id is not null

),

seen as (

    select
        user_id,
        min(event_at) as first_seen_at,
        max(event_at) as last_seen_at
    from events
    where user_id is not null
    group by 1

),

levels as (

    select
        user_id,
        max(case when valid_to is null then level end) as level,
        count(*) - 1 as level_changes_count
    from level_periods
    group by 1

),

final as (

    select
        latest.user_id,
        latest.gender,
        levels.level,
        latest.registered_at,
        latest.location,
        locations.metro_area,
        locations.state_codes,
        user_agents.user_agent,
        user_agents.browser,
        user_agents.operating_system,
        user_agents.device_class,
        seen.first_seen_at,
        seen.last_seen_at,
        cast(levels.level_changes_count as integer) as level_changes_count
    from ranked_events as latest
    inner join seen
        on latest.user_id = seen.user_id
    inner join levels
        on latest.user_id = levels.user_id
    left join locations
        on latest.location = locations.location
    left join user_agents
        on latest.user_agent_raw = user_agents.user_agent_raw
    where latest.recency_rank = 1

)

select * from final
