with

source as (

    {{ select_registered_versions(
        source('sparkify', 'rejected_records'), 'source_file', 'load_id'
    ) }}

),

renamed as (

    select

        -- ids
        load_id,

        -- strings
        source_name,
        source_file,
        reason,
        raw_text,

        -- numerics
        source_line,

        -- binaries
        raw_bytes,

        -- timestamps
        rejected_at

    from source

)

select * from renamed
