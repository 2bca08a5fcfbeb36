with

-- Every column but the line's raw text and bytes and its detailed reason, which
-- only the loader and the data steward may read (they can hold anything a user
-- typed: the reason quotes the offending value). The reason's kind holds no value.
source as (

    {{ select_registered_versions(
        source('sparkify', 'rejected_records'), 'source_file', 'load_id',
        columns=[
            'load_id', 'source_name', 'source_file', 'reason_kind',
            'source_line', 'rejected_at'
        ]
    ) }}

),

renamed as (

    select

        -- ids
        load_id,

        -- strings
        source_name,
        source_file,
        reason_kind,

        -- numerics
        source_line,

        -- timestamps
        rejected_at

    from source

)

select * from renamed
