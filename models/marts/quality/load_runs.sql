-- One row per run of the loader: when, how it ended and what it did, for the
-- data-quality section of the report (its last load).

with

load_runs as (

    select * from {{ ref('stg_sparkify__load_runs') }}

),

final as (

    select
        load_id,
        status,
        started_at,
        finished_at,
        files_loaded,
        files_replaced,
        files_skipped,
        records_loaded,
        records_rejected,
        blank_lines
    from load_runs

)

select * from final
