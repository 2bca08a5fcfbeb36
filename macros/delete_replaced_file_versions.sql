{#-
    Pre-hook of incremental models fed by raw files: deletes the rows of file
    versions the loader has since replaced. When a file changes, the loader
    swaps its rows for the new version's, under a new `_loaded_at`; the next
    incremental run inserts the new rows, but rows of the old version that the
    new one no longer has would linger. Only files loaded again since the last
    run (the model's latest `_loaded_at`) can have been replaced, which keeps
    the delete small. Runs in the model's transaction, before the new batch is
    selected.
-#}
{% macro delete_replaced_file_versions(loaded_files) -%}

    {%- if is_incremental() -%}

        delete from {{ this }} as modelled
        using {{ loaded_files }} as loaded_files
        where
            modelled._source_file = loaded_files.source_file
            and modelled._file_sha256 <> loaded_files.file_sha256
            and loaded_files.loaded_at > (
                select max(watermark._loaded_at) from {{ this }} as watermark
            )

    {%- endif -%}

{%- endmacro %}
