-- What is popular? One row per song or artist and period: over the whole data
-- (period 'overall') and per ISO week (period 'week', weeks start on Monday,
-- UTC), with plays, distinct listeners, their ranks and, per week, the change
-- from the week before (trending).
--
-- Songs and artists are those as played (title and artist name from the log):
-- most plays match no catalogue song, so ids would miss them. An item played
-- in a week also gets a row for the following week, with 0 plays if need be,
-- so that a drop to nothing shows as a change.

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

times as (

    select * from {{ ref('dim_time') }}

),

plays as (

    select
        songplays.user_id,
        songplays.song_title,
        songplays.artist_name,
        cast(
            {{ dbt.dateadd('day', '1 - times.weekday', 'times.start_date') }} as date
        ) as week_start
    from songplays
    inner join times
        on songplays.start_time = times.start_time
    where songplays.song_title is not null and songplays.artist_name is not null

),

span as (

    select
        min(start_date) as first_date,
        max(start_date) as last_date,
        cast(
            {{ dbt.dateadd('day', '1 - min(weekday)', 'min(start_date)') }} as date
        ) as first_week_start,
        max(cast({{ dbt.dateadd('day', '1 - weekday', 'start_date') }} as date)) as last_week_start
    from times

),

item_plays as (

    select
        'song' as item_type,
        artist_name,
        song_title,
        user_id,
        week_start
    from plays

    union all

    select
        'artist' as item_type,
        artist_name,
        cast(null as text) as song_title,
        user_id,
        week_start
    from plays

),

overall as (

    select
        item_type,
        artist_name,
        song_title,
        count(*) as plays,
        count(distinct user_id) as listeners
    from item_plays
    group by 1, 2, 3

),

weekly as (

    select
        item_type,
        artist_name,
        song_title,
        week_start,
        count(*) as plays,
        count(distinct user_id) as listeners
    from item_plays
    group by 1, 2, 3, 4

),

-- The weeks each item was played in, and the week after each, up to the last.
item_weeks as (

    select
        item_type,
        artist_name,
        song_title,
        week_start
    from weekly

    union

    select
        weekly.item_type,
        weekly.artist_name,
        weekly.song_title,
        cast({{ dbt.dateadd('day', 7, 'weekly.week_start') }} as date) as week_start
    from weekly
    cross join span
    where {{ dbt.dateadd('day', 7, 'weekly.week_start') }} <= span.last_week_start

),

weekly_filled as (

    select
        item_weeks.item_type,
        item_weeks.artist_name,
        item_weeks.song_title,
        item_weeks.week_start,
        coalesce(weekly.plays, 0) as plays,
        coalesce(weekly.listeners, 0) as listeners
    from item_weeks
    left join weekly
        on
            item_weeks.item_type = weekly.item_type
            and item_weeks.artist_name = weekly.artist_name
            and item_weeks.song_title is not distinct from weekly.song_title
            and item_weeks.week_start = weekly.week_start

),

weekly_ranked as (

    select
        *,
        case
            when plays > 0
                then rank() over (partition by item_type, week_start order by plays desc)
        end as plays_rank,
        case
            when listeners > 0
                then rank() over (partition by item_type, week_start order by listeners desc)
        end as listeners_rank
    from weekly_filled

),

weekly_compared as (

    select
        this_week.item_type,
        this_week.artist_name,
        this_week.song_title,
        this_week.week_start,
        this_week.plays,
        this_week.listeners,
        this_week.plays_rank,
        this_week.listeners_rank,
        -- Unknown before the data starts; 0 when the item was not played.
        case
            when this_week.week_start > span.first_week_start
                then coalesce(last_week.plays, 0)
        end as previous_week_plays,
        last_week.plays_rank as previous_week_plays_rank,
        this_week.week_start >= span.first_date
        and {{ dbt.dateadd('day', 6, 'this_week.week_start') }} <= span.last_date as is_full_week
    from weekly_ranked as this_week
    cross join span
    left join weekly_ranked as last_week
        on
            this_week.item_type = last_week.item_type
            and this_week.artist_name = last_week.artist_name
            and this_week.song_title is not distinct from last_week.song_title
            and last_week.week_start
            = cast({{ dbt.dateadd('day', -7, 'this_week.week_start') }} as date)

),

overall_ranked as (

    select
        item_type,
        artist_name,
        song_title,
        cast(null as date) as week_start,
        plays,
        listeners,
        rank() over (partition by item_type order by plays desc) as plays_rank,
        rank() over (partition by item_type order by listeners desc) as listeners_rank,
        cast(null as bigint) as previous_week_plays,
        cast(null as bigint) as previous_week_plays_rank,
        cast(null as boolean) as is_full_week
    from overall

),

periods as (

    select
        'overall' as period,
        *
    from overall_ranked

    union all

    select
        'week' as period,
        *
    from weekly_compared

),

final as (

    select
        {{ surrogate_key(['item_type', 'period', 'week_start', 'artist_name', 'song_title']) }}
            as popularity_id,
        item_type,
        period,
        week_start,
        is_full_week,
        artist_name,
        song_title,
        cast(plays as integer) as plays,
        cast(listeners as integer) as listeners,
        cast(plays_rank as integer) as plays_rank,
        cast(listeners_rank as integer) as listeners_rank,
        cast(previous_week_plays as integer) as previous_week_plays,
        cast(plays - previous_week_plays as integer) as plays_change,
        cast(previous_week_plays_rank as integer) as previous_week_plays_rank,
        cast(previous_week_plays_rank - plays_rank as integer) as plays_rank_change
    from periods

)

select * from final
