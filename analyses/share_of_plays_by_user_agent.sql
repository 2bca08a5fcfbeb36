-- The original exercise's question: what share of the plays comes from each
-- user agent? Asked of the star schema: plays by the browser and operating
-- system of the user (parsed from the user agent), with their share.

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

final as (

    select
        users.browser,
        users.operating_system,
        count(*) as plays,
        round(100.0 * count(*) / sum(count(*)) over (), 1) as percent_of_plays
    from songplays
    inner join users
        on songplays.user_id = users.user_id
    group by 1, 2

)

select * from final
order by 3 desc
