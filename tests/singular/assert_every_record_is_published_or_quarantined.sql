-- Per file, every record the loader says it landed (`records_loaded` of the
-- file's current version in `loaded_files`, counted by the loader in Python
-- as it parsed the file) is one row of staging, and in exactly one place
-- after it: a log record is a page view or a quarantined event, a song record
-- is in the catalogue the star schema reads or a quarantined song. Returns
-- the files whose counts differ (a filter, join or rule along the way lost or
-- duplicated records).

with

loaded_files as (

    select * from {{ ref('stg_sparkify__loaded_files') }}

),

staged as (

    select
        _source_file as source_file,
        count(*) as staged
    from {{ ref('stg_sparkify__events') }}
    group by 1

    union all

    select
        _source_file as source_file,
        count(*) as staged
    from {{ ref('stg_sparkify__songs') }}
    group by 1

),

page_views as (

    select
        _source_file as source_file,
        count(*) as published
    from {{ ref('fct_page_views') }}
    group by 1

),

catalogue_songs as (

    select
        _source_file as source_file,
        count(*) as published
    from {{ ref('int_songs_cleaned') }}
    group by 1

),

quarantined as (

    select
        source_file,
        count(*) as quarantined
    from {{ ref('quarantined_events') }}
    group by 1

    union all

    select
        source_file,
        count(*) as quarantined
    from {{ ref('quarantined_songs') }}
    group by 1

),

published as (

    select * from page_views
    union all
    select * from catalogue_songs

),

accounted as (

    select
        loaded_files.source_file,
        loaded_files.records_loaded,
        coalesce(staged.staged, 0) as staged,
        coalesce(published.published, 0) as published,
        coalesce(quarantined.quarantined, 0) as quarantined
    from loaded_files
    left join staged
        on loaded_files.source_file = staged.source_file
    left join published
        on loaded_files.source_file = published.source_file
    left join quarantined
        on loaded_files.source_file = quarantined.source_file

),

unaccounted as (

    -- Published or quarantined rows of a file the loader does not list.
    select
        published.source_file,
        0 as records_loaded,
        0 as staged,
        published.published,
        0 as quarantined
    from published
    left join loaded_files
        on published.source_file = loaded_files.source_file
    where loaded_files.source_file is null

),

final as (

    select * from accounted
    where
        records_loaded <> staged
        or records_loaded <> published + quarantined

    union all

    select * from unaccounted

)

select * from final
