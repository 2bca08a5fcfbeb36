-- fct_page_views has one row per event record the loader says it landed:
-- the sum of `records_loaded` over the log files' current versions, counted
-- by the loader in Python as it parsed each file. Returns both counts when
-- they differ (a filter or join along the way lost or duplicated events).

with

page_views as (

    select count(*) as page_views
    from {{ ref('fct_page_views') }}

),

loaded as (

    select coalesce(sum(records_loaded), 0) as records_loaded
    from {{ ref('stg_sparkify__loaded_files') }}
    where source_name = 'log_data'

)

select
    page_views.page_views,
    loaded.records_loaded
from page_views
cross join loaded
where page_views.page_views <> loaded.records_loaded
