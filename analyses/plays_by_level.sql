-- The original exercise's question: how do free and paid users compare? Asked
-- of the star schema: plays, listening users and plays per user by the level
-- at the time of the play, with each level's share of the plays.

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

final as (

    select
        level,
        count(*) as plays,
        count(distinct user_id) as listening_users,
        round(
            cast(count(*) as {{ exact_numeric_type() }})
            / count(distinct user_id), 1
        ) as plays_per_user,
        round(100.0 * count(*) / sum(count(*)) over (), 1) as percent_of_plays
    from songplays
    group by 1

)

select * from final
order by 1
