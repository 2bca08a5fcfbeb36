-- One row per distinct user agent (as logged), unquoted and parsed into
-- browser, operating system and device class. Rules are checked in order, as
-- user agents name other products for compatibility: Chrome's says "Safari",
-- Chromium's says "Chrome", an iPhone's says "like Mac OS X".
-- A table (a few hundred rows): the dimension and its tests read it, not the
-- events.

{{ config(materialized='table') }}

with

events as (

    select * from {{ ref('int_events_deduplicated') }}

),

user_agents as (

    select distinct
        user_agent_raw,
        user_agent
    from events
    where user_agent_raw is not null

),

parsed as (

    select

        user_agent_raw,
        user_agent,

        case
            when user_agent like '%Edge/%' then 'Edge'
            when user_agent like '%Trident/%' or user_agent like '%MSIE %'
                then 'Internet Explorer'
            when user_agent like '%Firefox/%' then 'Firefox'
            when user_agent like '%Chromium/%' then 'Chromium'
            when user_agent like '%Chrome/%' then 'Chrome'
            when user_agent like '%Safari/%' then 'Safari'
            else 'Other'
        end as browser,

        case
            when user_agent like '%iPhone%' or user_agent like '%iPad%' then 'iOS'
            when user_agent like '%Android%' then 'Android'
            when user_agent like '%Windows%' then 'Windows'
            when user_agent like '%Macintosh%' then 'macOS'
            when user_agent like '%Linux%' or user_agent like '%X11%' then 'Linux'
            else 'Other'
        end as operating_system,

        case
            when user_agent like '%iPad%' then 'tablet'
            when user_agent like '%Android%' and user_agent not like '%Mobile%'
                then 'tablet'
            when
                user_agent like '%iPhone%'
                or user_agent like '%Android%'
                or user_agent like '%Mobile%'
                then 'mobile'
            else 'desktop'
        end as device_class

    from user_agents

)

select * from parsed
