-- Every NextSong event in staging survives each step to the fact: cleaning,
-- matching to songs (a left join that must neither drop nor duplicate) and
-- the incremental fact. Returns the steps whose play count differs from
-- staging's.

with

staged as (

    select count(*) as plays
    from {{ ref('stg_sparkify__events') }}
    where page = 'NextSong'

),

steps as (

    select
        'int_events_text_cleaned' as step,
        count(*) as plays
    from {{ ref('int_events_text_cleaned') }}
    where page = 'NextSong'

    union all

    select
        'int_songplays_matched' as step,
        count(*) as plays
    from {{ ref('int_songplays_matched') }}

    union all

    select
        'fct_songplays' as step,
        count(*) as plays
    from {{ ref('fct_songplays') }}

)

select
    steps.step,
    steps.plays,
    staged.plays as staged_plays
from steps
cross join staged
where steps.plays <> staged.plays
