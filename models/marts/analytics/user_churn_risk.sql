-- Who is listening less, or stopped? One row per identified user: plays and
-- listening time in the last 7 days of the data against the 7 days before,
-- days since their last play, sessions, whether they cancelled or submitted a
-- downgrade, and the churn-risk flag with its reason.
--
-- Time is measured back from the end of the data (its last play), never from
-- now(): the last 7 days are (end - 7 days, end], the 7 before are
-- (end - 14 days, end - 7 days]. The cancellation and downgrade pages come
-- from fct_page_views.

with

users as (

    select * from {{ ref('dim_users') }}

),

songplays as (

    select * from {{ ref('fct_songplays') }}

),

page_views as (

    select * from {{ ref('fct_page_views') }}

),

times as (

    select * from {{ ref('dim_time') }}

),

-- The last play's time, from dim_time (one row per play time), so that the
-- plays are read once.
data_end as (

    select max(start_time) as data_end_at
    from times

),

-- Each play, and the 7-day window it falls in (null when older than both).
windowed_plays as (

    select
        songplays.user_id,
        songplays.session_id,
        songplays.start_time,
        songplays.length_seconds,
        case
            when songplays.start_time > {{ add_days('data_end.data_end_at', -7) }}
                then 'last_7_days'
            when songplays.start_time > {{ add_days('data_end.data_end_at', -14) }}
                then 'previous_7_days'
        end as play_window
    from songplays
    cross join data_end

),

-- Per session first (no distinct count over every play), then per user.
session_plays as (

    select
        user_id,
        session_id,
        count(*) as plays,
        max(start_time) as last_played_at,
        count(case when play_window = 'last_7_days' then 1 end) as plays_last_7_days,
        count(case when play_window = 'previous_7_days' then 1 end) as plays_previous_7_days,
        sum(
            case when play_window = 'last_7_days' then length_seconds end
        ) as listening_seconds_last_7_days,
        sum(
            case when play_window = 'previous_7_days' then length_seconds end
        ) as listening_seconds_previous_7_days
    from windowed_plays
    group by 1, 2

),

user_plays as (

    select
        user_id,
        sum(plays) as total_plays,
        count(*) as total_sessions,
        max(last_played_at) as last_played_at,
        sum(plays_last_7_days) as plays_last_7_days,
        sum(plays_previous_7_days) as plays_previous_7_days,
        sum(listening_seconds_last_7_days) as listening_seconds_last_7_days,
        sum(listening_seconds_previous_7_days) as listening_seconds_previous_7_days
    from session_plays
    group by 1

),

page_visits as (

    select
        user_id,
        {{ dbt.bool_or("page = 'Cancellation Confirmation'") }}
            as visited_cancellation_confirmation,
        {{ dbt.bool_or("page = 'Submit Downgrade'") }} as visited_submit_downgrade
    from page_views
    where
        user_id is not null
        and page in ('Cancellation Confirmation', 'Submit Downgrade')
    group by 1

),

engagement as (

    select
        users.user_id,
        users.level,
        data_end.data_end_at,
        user_plays.last_played_at,
        coalesce(user_plays.total_plays, 0) as total_plays,
        coalesce(user_plays.total_sessions, 0) as total_sessions,
        coalesce(user_plays.plays_last_7_days, 0) as plays_last_7_days,
        coalesce(user_plays.plays_previous_7_days, 0) as plays_previous_7_days,
        coalesce(user_plays.listening_seconds_last_7_days, 0) as listening_seconds_last_7_days,
        coalesce(
            user_plays.listening_seconds_previous_7_days, 0
        ) as listening_seconds_previous_7_days,
        floor(
            {{ seconds_between('user_plays.last_played_at', 'data_end.data_end_at') }} / 86400
        ) as days_since_last_play,
        coalesce(
            page_visits.visited_cancellation_confirmation, false
        ) as visited_cancellation_confirmation,
        coalesce(page_visits.visited_submit_downgrade, false) as visited_submit_downgrade
    from users
    cross join data_end
    left join user_plays
        on users.user_id = user_plays.user_id
    left join page_visits
        on users.user_id = page_visits.user_id

),

-- The churn-risk rule, first match wins: cancelled; submitted a downgrade;
-- no play in the last 7 days (never played included); played less than half
-- as much in the last 7 days as in the 7 before.
flagged as (

    select
        *,
        case
            when visited_cancellation_confirmation then 'cancelled'
            when visited_submit_downgrade then 'downgraded'
            when plays_last_7_days = 0 then 'inactive'
            when plays_last_7_days * 2 < plays_previous_7_days then 'listening_less'
        end as churn_risk_reason
    from engagement

),

final as (

    select
        user_id,
        level,
        data_end_at,
        last_played_at,
        cast(days_since_last_play as integer) as days_since_last_play,
        cast(total_plays as integer) as total_plays,
        cast(total_sessions as integer) as total_sessions,
        cast(plays_last_7_days as integer) as plays_last_7_days,
        cast(plays_previous_7_days as integer) as plays_previous_7_days,
        cast(plays_last_7_days - plays_previous_7_days as integer) as plays_change,
        cast(
            listening_seconds_last_7_days as {{ exact_numeric_type() }}
        ) as listening_seconds_last_7_days,
        cast(
            listening_seconds_previous_7_days as {{ exact_numeric_type() }}
        ) as listening_seconds_previous_7_days,
        visited_cancellation_confirmation,
        visited_submit_downgrade,
        churn_risk_reason,
        churn_risk_reason is not null as is_churn_risk
    from flagged

)

select * from final
