-- dim_users_history, checked against the page views with joins and counts
-- instead of the model's window functions:
--   * each user's periods hold as many events as fct_page_views has for the
--     user, from the user's first event to the last;
--   * every event of the user lies in a period of its level (between the
--     period's valid_from and last_event_at);
--   * no two periods of a user overlap, adjacent periods differ in level,
--     and only the last one is current;
--   * dim_users shows the level of the user's latest event (latest by time,
--     then position in the session, then session), and the times of the
--     user's first and latest events.
-- Returns one row per user and problem.

with

history as (

    select * from {{ ref('dim_users_history') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

user_page_views as (

    select * from {{ ref('fct_page_views') }}
    where user_id is not null

),

event_counts as (

    select
        user_id,
        count(*) as events,
        min(viewed_at) as first_event_at,
        max(viewed_at) as last_event_at
    from user_page_views
    group by 1

),

history_counts as (

    select
        user_id,
        sum(events_count) as events,
        min(valid_from) as first_event_at,
        max(last_event_at) as last_event_at,
        max(period_number) as periods,
        sum(case when is_current then period_number else 0 end) as current_period,
        sum(case when is_current then 1 else 0 end) as current_periods
    from history
    group by 1

),

count_problems as (

    select
        coalesce(event_counts.user_id, history_counts.user_id) as user_id,
        'events or span differ' as problem
    from event_counts
    full outer join history_counts
        on event_counts.user_id = history_counts.user_id
    where
        event_counts.events is distinct from history_counts.events
        or event_counts.first_event_at is distinct from history_counts.first_event_at
        or event_counts.last_event_at is distinct from history_counts.last_event_at
        or history_counts.current_periods <> 1
        or history_counts.current_period <> history_counts.periods

),

uncovered_events as (

    select distinct
        user_page_views.user_id,
        'event outside a period of its level' as problem
    from user_page_views
    where not exists (
        select history.user_id
        from history
        where
            history.user_id = user_page_views.user_id
            and history.level = user_page_views.level
            and user_page_views.viewed_at between history.valid_from and history.last_event_at
    )

),

period_problems as (

    select distinct
        earlier.user_id,
        'periods overlap or repeat a level' as problem
    from history as earlier
    inner join history as later
        on
            earlier.user_id = later.user_id
            and earlier.period_number < later.period_number
    where
        earlier.last_event_at > later.valid_from
        or (later.period_number = earlier.period_number + 1 and later.level = earlier.level)

),

-- The latest event of each user, by time, then position in the session, then
-- session: one maximum at a time, so each step is a group-by and a join (a
-- "no later event exists" anti-join would compare a user's events pairwise).
latest_times as (

    select
        user_id,
        max(viewed_at) as viewed_at
    from user_page_views
    group by 1

),

latest_items as (

    select
        user_page_views.user_id,
        user_page_views.viewed_at,
        max(user_page_views.item_in_session) as item_in_session
    from user_page_views
    inner join latest_times
        on
            user_page_views.user_id = latest_times.user_id
            and user_page_views.viewed_at = latest_times.viewed_at
    group by 1, 2

),

latest_sessions as (

    select
        user_page_views.user_id,
        user_page_views.viewed_at,
        user_page_views.item_in_session,
        max(user_page_views.session_id) as session_id
    from user_page_views
    inner join latest_items
        on
            user_page_views.user_id = latest_items.user_id
            and user_page_views.viewed_at = latest_items.viewed_at
            and user_page_views.item_in_session = latest_items.item_in_session
    group by 1, 2, 3

),

latest_events as (

    select
        user_page_views.user_id,
        user_page_views.level
    from user_page_views
    inner join latest_sessions
        on
            user_page_views.user_id = latest_sessions.user_id
            and user_page_views.viewed_at = latest_sessions.viewed_at
            and user_page_views.item_in_session = latest_sessions.item_in_session
            and user_page_views.session_id = latest_sessions.session_id

),

level_problems as (

    select
        coalesce(latest_events.user_id, users.user_id) as user_id,
        'dim_users level is not that of the latest event' as problem
    from latest_events
    full outer join users
        on latest_events.user_id = users.user_id
    where latest_events.level is distinct from users.level

),

seen_problems as (

    select
        coalesce(event_counts.user_id, users.user_id) as user_id,
        'dim_users first or last seen is not that of the events' as problem
    from event_counts
    full outer join users
        on event_counts.user_id = users.user_id
    where
        event_counts.first_event_at is distinct from users.first_seen_at
        or event_counts.last_event_at is distinct from users.last_seen_at

)

select * from count_problems
union all
select * from seen_problems
union all
select * from uncovered_events
union all
select * from period_problems
union all
select * from level_problems
