{#-
    Incremental models fed by raw files, whose rows carry the lineage of
    their file version (`_source_file`, `_file_sha256`, `_load_id`,
    `_loaded_at`): each run takes the loads landed since the previous run and
    removes the rows of file versions the loader has since replaced, so the
    model always equals a full rebuild. The model itself stays engine-neutral;
    these macros hold each engine's way of doing it.

    - Postgres: `delete+insert` on the model's unique key (a plain insert
      for a model without one, whose batch never holds a row it has). The batch is the
      rows loaded since the model's latest `_loaded_at`; a pre-hook
      (delete_replaced_file_versions) first deletes the rows of replaced
      versions, in the model's transaction.
    - Spark (parquet, no delete or merge): `insert_overwrite` of whole
      `_load_id` partitions (dynamic partition overwrite). The batch is every
      row of each load that has rows loaded since the model's latest
      `_loaded_at`, and of each load the model holds rows of that are no
      longer registered (a replaced file version): rewriting such a partition
      from the registered-only staging drops the replaced rows. A partition
      left with no registered row at all gets no new rows, so it would not be
      overwritten; the post-hook (drop_emptied_partitions) drops it.
-#}

{#- The model's incremental_strategy. -#}
{% macro incremental_by_load_strategy() -%}
    {{ return(adapter.dispatch('incremental_by_load_strategy', 'sparkify')()) }}
{%- endmacro %}

{% macro default__incremental_by_load_strategy() -%}
    {{ exceptions.raise_compiler_error(
        "incremental_by_load_strategy is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__incremental_by_load_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__incremental_by_load_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}

{#- The model's unique_key: `key` where rows are replaced by key, else none. -#}
{% macro incremental_by_load_unique_key(key) -%}
    {{ return(adapter.dispatch('incremental_by_load_unique_key', 'sparkify')(key)) }}
{%- endmacro %}

{% macro default__incremental_by_load_unique_key(key) -%}
    {{ return(key) }}
{%- endmacro %}

{% macro spark__incremental_by_load_unique_key(key) -%}
    {#- insert_overwrite replaces partitions, not keys. -#}
    {{ return(none) }}
{%- endmacro %}

{#- The model's partition_by: the load id where partitions are overwritten. -#}
{% macro incremental_by_load_partition_by() -%}
    {{ return(adapter.dispatch('incremental_by_load_partition_by', 'sparkify')()) }}
{%- endmacro %}

{% macro default__incremental_by_load_partition_by() -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__incremental_by_load_partition_by() -%}
    {{ return(['_load_id']) }}
{%- endmacro %}

{#-
    The condition on `batch` (the model's upstream relation, with the
    lineage columns, selected from without an alias) that selects an
    incremental run's rows; `true` on a full build. `also_redo` is a
    condition that takes every row (e.g. a newer song catalogue).

    `key`: the model's unique key, for a model whose rows are not each
    fixed by their own file: one row per key, taken from whichever event
    comes first (a duplicate key's). A row loaded long ago can then join the
    model (its key's first row was in a file since replaced without it) or
    leave it (a new file holds an earlier row of its key). With a key, the
    batch also takes the rows the model lacks (Postgres; looked for only when
    a loader run since the last one replaced a file; a row whose key moved to
    another row of the model is replaced by key, and the pre-hook
    delete_rows_whose_key_moved deletes one whose key moved to an event that
    is not a row of the model) or every load whose rows differ between the
    model and `batch` by key and file version (Spark). `batch_key`: the key's
    column in `batch`, when it has another name there (default: `key`).
    `load_runs`: the staging model of raw.load_runs, needed with a key.
-#}
{% macro incremental_by_load_batch(batch, loaded_files, also_redo='false', key=none, load_runs=none, batch_key=none) -%}
    {%- if key and load_runs is none -%}
        {{ exceptions.raise_compiler_error(
            "incremental_by_load_batch: a key needs load_runs (ref('stg_sparkify__load_runs'))"
        ) }}
    {%- endif -%}
    {%- if is_incremental() -%}
        {{ return(adapter.dispatch('incremental_by_load_batch', 'sparkify')(
            batch, loaded_files, also_redo, key, load_runs, batch_key or key
        )) }}
    {%- else -%}
        {{ return('true') }}
    {%- endif -%}
{%- endmacro %}

{% macro last_loaded_at() -%}
    (
        select coalesce(max(this_run._loaded_at), {{ sparkify.earliest_timestamp() }})
        from {{ this }} as this_run
    )
{%- endmacro %}

{% macro default__incremental_by_load_batch(batch, loaded_files, also_redo, key, load_runs, batch_key) -%}
    (
        _loaded_at > {{ sparkify.last_loaded_at() }}
        or {{ also_redo }}
        {%- if key and sparkify.files_replaced_since_last_run(load_runs) %}
        or not exists (
            select 1
            from {{ this }} as this_run
            where this_run.{{ key }} = {{ batch.identifier }}.{{ batch_key }}
        )
        {%- endif %}
    )
{%- endmacro %}

{% macro spark__incremental_by_load_batch(batch, loaded_files, also_redo, key, load_runs, batch_key) -%}
    {%- if key %}
    (
        _load_id in ({{ sparkify._loads_with_rows_missing_from(batch, batch_key, this, key) }})
        or _load_id in ({{ sparkify._loads_with_rows_missing_from(this, key, batch, batch_key) }})
        or {{ also_redo }}
    )
    {%- else %}
    (
        _load_id in (
            select new_rows._load_id
            from {{ batch }} as new_rows
            where new_rows._loaded_at > {{ sparkify.last_loaded_at() }}
        )
        or _load_id in ({{ sparkify._unregistered_load_ids(loaded_files) }})
        or {{ also_redo }}
    )
    {%- endif %}
{%- endmacro %}

{#-
    Whether a loader run may have replaced a file since the model's
    watermark, its latest `_loaded_at` (Postgres): one that counted a
    replaced file, or one that did not complete (still running, or killed:
    its counts were never written), and has not finished before the
    watermark. Only then can the model hold rows of a replaced version, or a
    row loaded earlier become its key's first, so only then does the
    pre-hook delete, and the batch look for the rows the model lacks (that
    condition, a subquery per row, keeps the batch's condition from reaching
    the upstream scan). It relies on the loader being the only one to change
    `raw.loaded_files`: a file unregistered by hand and loaded again counts
    as new, so after that, rebuild with --full-refresh.
-#}
{% macro files_replaced_since_last_run(load_runs) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set runs = run_query(
        "select count(*) from " ~ load_runs ~ " as load_runs"
        ~ " where (load_runs.files_replaced > 0 or load_runs.status <> 'completed')"
        ~ " and (load_runs.finished_at is null"
        ~ " or load_runs.finished_at >= " ~ sparkify.last_loaded_at() ~ ")"
    ) -%}
    {{ return(runs.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#-
    The loads of the rows of `rows` that `other` does not hold with the same
    key (`rows_key` in `rows`, `other_key` in `other`) and file version (Spark): read
    both ways, the loads whose rows differ.
-#}
{% macro _loads_with_rows_missing_from(rows, rows_key, other, other_key) -%}
    select these._load_id
    from {{ rows }} as these
    left anti join {{ other }} as those
        on
            these.{{ rows_key }} = those.{{ other_key }}
            and these._load_id = those._load_id
            and these._source_file = those._source_file
            and these._file_sha256 = those._file_sha256
{%- endmacro %}

{#- The load ids of the model's rows whose file version is no longer registered. -#}
{% macro _unregistered_load_ids(loaded_files) -%}
    select distinct modelled._load_id
    from {{ this }} as modelled
    left anti join {{ loaded_files }} as registered
        on
            modelled._source_file = registered.source_file
            and modelled._load_id = registered.load_id
{%- endmacro %}

{#-
    Pre-hook: deletes the rows of file versions the loader has since
    replaced (Postgres). When a file changes, the loader swaps its rows for
    the new version's, under a new `_loaded_at`; the next incremental run
    inserts the new rows, but rows of the old version that the new one no
    longer has would linger. Only files loaded again since the last run (the
    model's latest `_loaded_at`) can have been replaced, which keeps the
    delete small; and only when a loader run since then replaced a file
    (`load_runs`), so that a run that only added files does not look at all.
    Runs in the model's transaction, before the new batch is selected.
    Nothing on Spark, where the batch rewrites those partitions.
-#}
{% macro delete_replaced_file_versions(loaded_files, load_runs) -%}
    {%- if is_incremental() -%}
        {{ return(adapter.dispatch('delete_replaced_file_versions', 'sparkify')(
            loaded_files, load_runs
        )) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__delete_replaced_file_versions(loaded_files, load_runs) -%}
    {%- if sparkify.files_replaced_since_last_run(load_runs) %}

    delete from {{ this }} as modelled
    using {{ loaded_files }} as loaded_files
    where
        modelled._source_file = loaded_files.source_file
        -- Another version than the registered one, also one with the same
        -- content (a file changed and changed back: a new load of old bytes).
        and modelled._load_id <> loaded_files.load_id
        and loaded_files.loaded_at > (
            select max(watermark._loaded_at) from {{ this }} as watermark
        )

    {%- endif %}
{%- endmacro %}

{% macro spark__delete_replaced_file_versions(loaded_files, load_runs) -%}
{%- endmacro %}

{#-
    Pre-hook (Postgres) of a model with one row per event key, taken from
    its first event: deletes the rows whose key's first event is now another
    one that is not a row of the model (a new file holds an earlier event of
    the key, e.g. a page view with a play's key), which the batch cannot
    replace by key. Only keys that have duplicates (`duplicates`, with the
    key columns) are looked at; `events` holds the first event of each key
    (with `_source_file`), `is_row` says which of them are rows of the model.
    Nothing on Spark, where such a row's load is rewritten.
-#}
{% macro delete_rows_whose_key_moved(duplicates, events, is_row, key_columns) -%}
    {%- if is_incremental() -%}
        {{ return(adapter.dispatch('delete_rows_whose_key_moved', 'sparkify')(
            duplicates, events, is_row, key_columns
        )) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__delete_rows_whose_key_moved(duplicates, events, is_row, key_columns) -%}

    delete from {{ this }} as modelled
    using (
        select distinct {{ key_columns | join(', ') }} from {{ duplicates }}
    ) as duplicated
    where
        {% for column in key_columns -%}
            modelled.{{ column }} = duplicated.{{ column }} and
        {% endfor -%}
        not exists (
            select 1
            from {{ events }} as first_events
            where
                {% for column in key_columns -%}
                    first_events.{{ column }} = modelled.{{ column }} and
                {% endfor -%}
                first_events._source_file = modelled._source_file
                and {{ is_row }}
        )

{%- endmacro %}

{% macro spark__delete_rows_whose_key_moved(duplicates, events, is_row, key_columns) -%}
{%- endmacro %}

{#-
    Post-hook (Spark): drops the `_load_id` partitions that have no row in
    `batch` any more (every file of that load was replaced, or every row of
    it left a keyed model), which the partition overwrite cannot empty.
    `where`: the condition on `batch` of the model's rows, when the model
    takes only some of them (a load whose rows left the model may still have
    others there). Nothing on Postgres.
-#}
{% macro drop_emptied_partitions(batch, where='true') -%}
    {%- if is_incremental() -%}
        {{ return(adapter.dispatch('drop_emptied_partitions', 'sparkify')(batch, where)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__drop_emptied_partitions(batch, where) -%}
{%- endmacro %}

{% macro spark__drop_emptied_partitions(batch, where) -%}
    {%- if execute -%}
        {%- set emptied = run_query(
            "select distinct modelled._load_id from " ~ this ~ " as modelled"
            ~ " left anti join (select _load_id from " ~ batch ~ " where " ~ where ~ ") as still_there"
            ~ " on modelled._load_id = still_there._load_id"
        ) -%}
        {%- set load_ids = emptied.columns[0].values() -%}
        {%- if load_ids | length > 0 -%}
            alter table {{ this }} drop if exists
            {% for load_id in load_ids -%}
                partition (_load_id = {{ load_id }}){% if not loop.last %}, {% endif %}
            {%- endfor %}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
