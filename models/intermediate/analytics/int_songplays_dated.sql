-- One row per song play with its place on the UTC calendar: the hour of the
-- day, and the day, ISO weekday, ISO week and month from dim_date.

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

times as (

    select * from {{ ref('dim_time') }}

),

dates as (

    select * from {{ ref('dim_date') }}

),

final as (

    select
        songplays.songplay_id,
        songplays.user_id,
        songplays.artist_name,
        songplays.song_title,
        songplays.start_time,
        times.hour,
        dates.date_day,
        dates.iso_weekday,
        dates.iso_week_start,
        dates.month_start
    from songplays
    inner join times
        on songplays.start_time = times.start_time
    inner join dates
        on times.start_date = dates.date_day

)

select * from final
