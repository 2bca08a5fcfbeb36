with

source as (

    select * from {{ source('sparkify', 'load_runs') }}

),

renamed as (

    select

        -- ids
        load_id,

        -- strings
        data_dir,
        status,

        -- numerics
        files_loaded,
        files_replaced,
        files_skipped,
        records_loaded,
        records_rejected,
        blank_lines,

        -- timestamps
        started_at,
        finished_at

    from source

)

select * from renamed
