with

source as (

    select * from {{ source('sparkify', 'loaded_files') }}

),

renamed as (

    select

        -- ids
        source_file,
        load_id,

        -- strings
        source_name,
        file_sha256,

        -- numerics
        file_bytes,
        records_loaded,
        records_rejected,
        blank_lines,

        -- timestamps
        loaded_at

    from source

)

select * from renamed
