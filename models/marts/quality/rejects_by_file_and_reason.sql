-- One row per file and reason for which the loader rejected records: how many
-- lines, and the first of them, for the data-quality section of the report.

with

rejected_records as (

    select * from {{ ref('stg_sparkify__rejected_records') }}

),

final as (

    select
        source_name,
        source_file,
        reason,
        count(*) as rejected_records,
        min(source_line) as first_line
    from rejected_records
    group by 1, 2, 3

)

select * from final
