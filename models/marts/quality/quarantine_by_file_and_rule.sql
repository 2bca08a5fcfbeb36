-- One row per file, data rule and field that quarantined rows: how many, and
-- the first line, for the data-quality section of the report.

with

quarantined_events as (

    select * from {{ ref('quarantined_events') }}

),

quarantined_songs as (

    select * from {{ ref('quarantined_songs') }}

),

quarantined as (

    select
        'log_data' as source_name,
        source_file,
        source_line,
        data_rule,
        field
    from quarantined_events

    union all

    select
        'song_data' as source_name,
        source_file,
        source_line,
        data_rule,
        field
    from quarantined_songs

),

final as (

    select
        source_name,
        source_file,
        data_rule,
        field,
        count(*) as quarantined_records,
        min(source_line) as first_line
    from quarantined
    group by 1, 2, 3, 4

)

select * from final
