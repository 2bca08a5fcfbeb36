-- One row per song play with its place on the UTC calendar: the hour of the
-- day (the macro dim_time's hour comes from), and the day, ISO weekday, ISO
-- week and month from dim_date. A view that the weekly popularity marts read:
-- it joins each play only with the few days of dim_date, not with dim_time's
-- row per start time.

with

songplays as (

    select * from {{ ref('fct_songplays') }}

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
        {{ date_part_utc('hour', 'songplays.start_time') }} as hour,
        dates.date_day,
        dates.iso_weekday,
        dates.iso_week_start,
        dates.month_start
    from songplays
    inner join dates
        on {{ utc_date('songplays.start_time') }} = dates.date_day

)

select * from final
