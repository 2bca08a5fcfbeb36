-- The level recorded on each play is the user's level in dim_users_history at
-- the play's start time (the period with valid_from <= start_time < valid_to).
-- Returns the plays where the two disagree or no period covers the play.

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

history as (

    select * from {{ ref('dim_users_history') }}

),

played_levels as (

    select
        songplays.songplay_id,
        songplays.user_id,
        songplays.start_time,
        songplays.level,
        history.level as history_level
    from songplays
    left join history
        on
            songplays.user_id = history.user_id
            and songplays.start_time >= history.valid_from
            and (songplays.start_time < history.valid_to or history.valid_to is null)

)

select *
from played_levels
where history_level is distinct from level
