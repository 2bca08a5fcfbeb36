-- One row per file and kind of reason for which the loader rejected records: how
-- many lines, and the first of them, for the data-quality section of the report.
-- The kind names the problem, never the value (the detailed reason, which may
-- quote it, stays in raw.rejected_records for the data steward).

with

rejected_records as (

    select * from {{ ref('stg_sparkify__rejected_records') }}

),

final as (

    select
        source_name,
        source_file,
        reason_kind,
        count(*) as rejected_records,
        min(source_line) as first_line
    from rejected_records
    group by 1, 2, 3

)

select * from final
