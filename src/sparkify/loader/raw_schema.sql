-- The raw landing schema. The loader puts the quoted schema name (checked by
-- sparkify.loader.names) wherever the schema placeholder stands in a statement.
-- Every statement is idempotent: the loader runs this file at the start of each run.
-- The schema itself exists by then (sparkify.loader.schema).

-- One row per run of scripts/load_raw.py.
create table if not exists {schema}.load_runs (
    load_id bigint generated always as identity primary key,
    data_dir text not null,
    started_at timestamptz not null default clock_timestamp(),
    finished_at timestamptz,
    status text not null default 'running'
        check (status in ('running', 'completed', 'failed', 'interrupted')),
    files_loaded integer not null default 0,
    files_replaced integer not null default 0,
    files_skipped integer not null default 0,
    records_loaded bigint not null default 0,
    records_rejected bigint not null default 0,
    blank_lines bigint not null default 0
);

-- One row per input file: what the last load of that path found in it.
create table if not exists {schema}.loaded_files (
    source_file text primary key,
    source_name text not null check (source_name in ('song_data', 'log_data')),
    file_sha256 text not null,
    file_bytes bigint not null,
    records_loaded bigint not null,
    records_rejected bigint not null,
    blank_lines bigint not null,
    load_id bigint not null references {schema}.load_runs (load_id),
    loaded_at timestamptz not null
);

-- One row per valid record; "record" is the JSON exactly as it came.
create table if not exists {schema}.log_data (
    record jsonb not null,
    _source_file text not null,
    _source_line integer not null,
    _file_sha256 text not null,
    _load_id bigint not null,
    -- now() is the transaction's start: all rows of one file share it.
    _loaded_at timestamptz not null default now()
);

create table if not exists {schema}.song_data (like {schema}.log_data including defaults);

-- Every record that could not be landed, and why. "reason" may quote the record's
-- values (`ts: expected integer, got string "..."`): like raw_text, only the loader and
-- the data steward read it. "reason_kind" is the same reason without any value
-- (sparkify.loader.records.reason_kind), which dbt reads. A table made before
-- reason_kind existed gets it from schema.py, its rows filled in.
create table if not exists {schema}.rejected_records (
    source_name text not null,
    source_file text not null,
    source_line integer not null,
    reason text not null,
    reason_kind text not null,
    raw_text text not null,
    raw_bytes bytea not null,
    load_id bigint not null,
    rejected_at timestamptz not null default now()
);

-- Every path under song_data/ or log_data/ that a run did not read, and why: a special
-- file (a FIFO, a device) or a link leading out of its source's directory.
create table if not exists {schema}.ignored_files (
    load_id bigint not null references {schema}.load_runs (load_id),
    source_name text not null check (source_name in ('song_data', 'log_data')),
    source_file text not null,
    reason text not null,
    ignored_at timestamptz not null default now()
);

-- BRIN indexes cost almost nothing on COPY; a file's rows are contiguous, so
-- replacing a file and selecting new loads (dbt incremental) stay cheap.
create index if not exists log_data_loaded_at_brin
    on {schema}.log_data using brin (_loaded_at);
create index if not exists song_data_loaded_at_brin
    on {schema}.song_data using brin (_loaded_at);
create index if not exists rejected_records_source_file
    on {schema}.rejected_records (source_file);
