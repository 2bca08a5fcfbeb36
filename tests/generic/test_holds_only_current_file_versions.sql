{#-
    Fails on every file version (`_source_file`, `_file_sha256`, `_load_id`)
    of the model's rows that is not the version loaded now (`loaded_files`,
    the staging model of raw.loaded_files): an incremental model must lose the
    rows of a file version the loader has since replaced, also of one whose
    bytes came back (the same SHA-256 under a new load).
-#}
{% test holds_only_current_file_versions(model, loaded_files) %}

with

modelled as (

    select * from {{ model }}

),

loaded_files as (

    select * from {{ loaded_files }}

),

model_file_versions as (

    select distinct
        _source_file,
        _file_sha256,
        _load_id
    from modelled

)

select model_file_versions.*
from model_file_versions
left join loaded_files
    on
        model_file_versions._source_file = loaded_files.source_file
        and model_file_versions._file_sha256 = loaded_files.file_sha256
        and model_file_versions._load_id = loaded_files.load_id
where loaded_files.source_file is null

{% endtest %}
