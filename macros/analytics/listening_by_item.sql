{#-
    The body of an overall popularity model: one row per item (the combination
    of `item_columns`: artist_name, or artist_name and song_title) over the
    whole data, from the plays of fct_songplays whose song title and artist
    name are known, with its plays, distinct listeners and its rank by each.
    Songs and artists are those as played (the log's title and artist name),
    as most plays match no catalogue song.
-#}
{% macro listening_by_item(item_columns) -%}

{%- set items = item_columns | join(', ') -%}

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

item_plays as (

    select
        {{ items }},
        count(*) as plays,
        count(distinct user_id) as listeners
    from songplays
    where song_title is not null and artist_name is not null
    group by {{ items }}

),

final as (

    select
        {{ items }},
        cast(plays as integer) as plays,
        cast(listeners as integer) as listeners,
        cast(rank() over (order by plays desc) as integer) as plays_rank,
        cast(rank() over (order by listeners desc) as integer) as listeners_rank
    from item_plays

)

select * from final

{%- endmacro %}


{#-
    The body of a weekly popularity model: one row per item (the combination of
    `item_columns`, e.g. artist_name, or artist_name and song_title) and ISO
    week (dim_date's Monday, UTC), from the plays of fct_songplays whose song
    title and artist name are known. An item played in a week also gets a row for the
    following week, with 0 plays if need be, so that a drop to nothing shows
    as a change. Ends in a `final` CTE and selects it.
-#}
{% macro listening_by_item_and_week(item_columns) -%}

{%- set items = item_columns | join(', ') -%}

with

plays as (

    select * from {{ ref('int_songplays_dated') }}
    where song_title is not null and artist_name is not null

),

weeks as (

    select * from {{ ref('listening_by_week') }}

),

week_span as (

    select
        min(iso_week_start) as first_week_start,
        max(iso_week_start) as last_week_start
    from weeks

),

weekly as (

    select
        {{ items }},
        iso_week_start as week_start,
        count(*) as plays,
        count(distinct user_id) as listeners
    from plays
    group by {{ items }}, iso_week_start

),

-- The weeks each item was played in, and the week after each, up to the last.
item_weeks as (

    select
        {{ items }},
        week_start
    from weekly

    union

    select
        {% for column in item_columns -%}
            weekly.{{ column }},
        {% endfor -%}
        cast({{ add_days('weekly.week_start', 7) }} as date) as week_start
    from weekly
    cross join week_span
    where {{ add_days('weekly.week_start', 7) }} <= week_span.last_week_start

),

weekly_filled as (

    select
        {% for column in item_columns -%}
            item_weeks.{{ column }},
        {% endfor -%}
        item_weeks.week_start,
        coalesce(weekly.plays, 0) as plays,
        coalesce(weekly.listeners, 0) as listeners
    from item_weeks
    left join weekly
        on
            {% for column in item_columns -%}
                item_weeks.{{ column }} = weekly.{{ column }} and
            {% endfor -%}
            item_weeks.week_start = weekly.week_start

),

weekly_ranked as (

    select
        *,
        case
            when plays > 0
                then rank() over (partition by week_start order by plays desc)
        end as plays_rank,
        case
            when listeners > 0
                then rank() over (partition by week_start order by listeners desc)
        end as listeners_rank
    from weekly_filled

),

weekly_compared as (

    select
        {% for column in item_columns -%}
            this_week.{{ column }},
        {% endfor -%}
        this_week.week_start,
        weeks.is_full_week,
        weeks.is_trend_week,
        this_week.plays,
        this_week.listeners,
        this_week.plays_rank,
        this_week.listeners_rank,
        -- Unknown before the data starts; 0 when the item was not played.
        case
            when this_week.week_start > week_span.first_week_start
                then coalesce(last_week.plays, 0)
        end as previous_week_plays,
        last_week.plays_rank as previous_week_plays_rank
    from weekly_ranked as this_week
    cross join week_span
    inner join weeks
        on this_week.week_start = weeks.iso_week_start
    left join weekly_ranked as last_week
        on
            {% for column in item_columns -%}
                this_week.{{ column }} = last_week.{{ column }} and
            {% endfor -%}
            last_week.week_start
            = cast({{ add_days('this_week.week_start', -7) }} as date)

),

with_change as (

    select
        *,
        plays - previous_week_plays as plays_change
    from weekly_compared

),

final as (

    select
        week_start as iso_week_start,
        is_full_week,
        is_trend_week,
        {{ items }},
        cast(plays as integer) as plays,
        cast(listeners as integer) as listeners,
        cast(plays_rank as integer) as plays_rank,
        cast(listeners_rank as integer) as listeners_rank,
        cast(previous_week_plays as integer) as previous_week_plays,
        cast(plays_change as integer) as plays_change,
        cast(
            case
                when plays_change is not null
                    then rank() over (
                        partition by week_start, plays_change is null
                        order by plays_change desc, plays desc
                    )
            end as integer
        ) as plays_change_rank,
        cast(previous_week_plays_rank as integer) as previous_week_plays_rank,
        cast(previous_week_plays_rank - plays_rank as integer) as plays_rank_change
    from with_change

)

select * from final

{%- endmacro %}
