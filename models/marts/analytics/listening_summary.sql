-- The data as a whole, in one row: the span of its plays, how many plays,
-- listeners, users and listening sessions it holds, the overall ratios the
-- other marts are compared with, and how many users are at churn risk.

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

churn_risk as (

    select * from {{ ref('user_churn_risk') }}

),

plays as (

    select
        min(songplays.start_time) as first_played_at,
        max(songplays.start_time) as last_played_at,
        count(*) as plays,
        count(distinct songplays.user_id) as listeners,
        count(distinct songplays.session_id) as sessions,
        count(
            case when users.device_class in ('mobile', 'tablet') then 1 end
        ) as handheld_plays
    from songplays
    left join users
        on songplays.user_id = users.user_id

),

user_counts as (

    select
        count(*) as user_count,
        count(case when is_churn_risk then 1 end) as users_at_churn_risk
    from churn_risk

),

final as (

    select
        plays.first_played_at,
        plays.last_played_at,
        cast(
            {{ days_between(utc_date('plays.first_played_at'), utc_date('plays.last_played_at')) }}
            + 1 as integer
        ) as days_in_span,
        cast(plays.plays as integer) as plays,
        cast(plays.listeners as integer) as listeners,
        cast(user_counts.user_count as integer) as identified_users,
        cast(plays.sessions as integer) as sessions,
        cast(plays.plays as {{ exact_numeric_type() }})
        / nullif(plays.listeners, 0) as plays_per_listener,
        cast(plays.plays as {{ exact_numeric_type() }})
        / nullif(plays.sessions, 0) as plays_per_session,
        cast(plays.handheld_plays as {{ exact_numeric_type() }}) / nullif(plays.plays, 0)
            as share_of_plays_on_handhelds,
        cast(user_counts.users_at_churn_risk as integer) as users_at_churn_risk,
        cast(user_counts.users_at_churn_risk as {{ exact_numeric_type() }})
        / nullif(user_counts.user_count, 0)
            as share_of_users_at_churn_risk
    from plays
    cross join user_counts

)

select * from final
