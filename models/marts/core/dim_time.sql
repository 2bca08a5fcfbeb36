-- One row per distinct song play start time, with its calendar attributes on
-- the UTC clock (whatever the session's time zone). The weekday comes from
-- the calendar macro dim_date uses, so the two always agree. Read from the
-- fact, whose start times it describes.

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

start_times as (

    select distinct start_time
    from songplays

),

final as (

    select
        start_time,
        {{ date_part_utc('hour', 'start_time') }} as hour,
        {{ date_part_utc('day', 'start_time') }} as day,
        {{ date_part_utc('week', 'start_time') }} as week,
        {{ date_part_utc('month', 'start_time') }} as month,
        {{ date_part_utc('year', 'start_time') }} as year,
        {{ iso_weekday(utc_date('start_time')) }} as weekday,
        {{ utc_date('start_time') }} as start_date
    from start_times

)

select * from final
