-- Every play in the fact comes from the version of its log file that is loaded
-- now: plays of a file version the loader has since replaced must be gone.
-- Returns the file versions of the fact that are not current.

with

songplays as (

    select * from {{ ref('fct_songplays') }}

),

loaded_files as (

    select * from {{ ref('stg_sparkify__loaded_files') }}

),

fact_file_versions as (

    select distinct
        _source_file,
        _file_sha256
    from songplays

)

select fact_file_versions.*
from fact_file_versions
left join loaded_files
    on
        fact_file_versions._source_file = loaded_files.source_file
        and fact_file_versions._file_sha256 = loaded_files.file_sha256
where loaded_files.source_file is null
