{#-
    Row tests that check each row once. A test whose verdict on a row depends
    on that row alone (not_null, accepted_values, no_mojibake, ...) need not
    read again, on every build, the rows of an incremental model it has
    already passed. Such a test opts in with the placeholder
    `__rows_not_yet_audited__` in its `where` config (dbt's documented way to
    template `where` with a macro: get_where_subquery, overridden below). The
    model carries `_built_at` (built_at(): when the build that wrote the row
    started), and the test reads only the rows written after the last build in
    which the same test passed on the same relation.

    The test's watermark: `test_watermarks`, a table in the tested model's
    schema (so that it moves with the model when scripts/build.py publishes
    or switches copies), one row per test that passed per build:
    (test_id, fingerprint, audited_through). on-run-end adds the rows
    (record_test_watermarks). Only a `pass` with no failing row counts (not an
    --empty or --sample run): a test that failed, warned, errored or was
    skipped leaves its watermark where it was, so the next build reads those
    rows again. A test whose definition changed (test_fingerprint) has
    another fingerprint, so no watermark: it reads every row. A
    `--full-refresh` writes every row again, so every row is read. A
    watermark not before the build's start (a clock went back) is ignored.
    It relies on one build at a time per schema (scripts/build.py holds a
    lock) and on the model being the only writer of its rows: `_built_at` is
    set in the model's final select (never copied from upstream), and a row
    changed by hand keeps the `_built_at` it had, so no test reads it again.
-#}

{#- When the build that writes a row started (dbt's run_started_at), for `_built_at`. -#}
{% macro built_at() -%}
    {{ sparkify.utc_timestamp(run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f')) }}
{%- endmacro %}

{#- dbt's get_where_subquery, with the placeholder replaced. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where') or '' -%}
    {%- if '__rows_not_yet_audited__' in where -%}
        {%- set where = where | replace(
            '__rows_not_yet_audited__', sparkify.rows_not_yet_audited(relation)
        ) -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}

{#- The watermarks' table beside `relation`. -#}
{% macro test_watermarks_relation(relation) -%}
    {{ return(api.Relation.create(
        database=relation.database,
        schema=relation.schema,
        identifier='test_watermarks',
        type='table'
    )) }}
{%- endmacro %}

{#-
    The condition on the tested relation's rows: written after this test's
    watermark, read when the test runs and written into its SQL as a literal
    (so that Postgres' planner sees how few rows pass, and takes the model's
    `_built_at` index). It ends with a comment that tells on-run-end where the
    watermark goes and under which fingerprint; that comment is the only way
    the compiled test and on-run-end share them.
-#}
{% macro rows_not_yet_audited(relation) -%}
    {%- set watermarks = sparkify.test_watermarks_relation(relation) -%}
    {%- set fingerprint = sparkify.test_fingerprint(model) -%}
    {%- set mark = {
        'table': watermarks.render(),
        'test_id': model.unique_id,
        'fingerprint': fingerprint,
    } -%}
    {%- set audited_through = sparkify.test_watermark(watermarks, model.unique_id, fingerprint) -%}
    {#- A watermark not before this build's start: a clock went back; read every row. -#}
    {%- set this_build = run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') -%}
    {%- set condition -%}
        {%- if audited_through is not none and audited_through < this_build -%}
            (_built_at > {{ sparkify.utc_timestamp(audited_through) }})
        {%- else -%}
            (1 = 1)
        {%- endif %} /* test_watermark {{ tojson(mark) }} */
    {%- endset -%}
    {{ return(condition) }}
{%- endmacro %}

{#- The test's latest watermark ('YYYY-MM-DD HH:MM:SS.ffffff', UTC), or none. -#}
{% macro test_watermark(watermarks, test_id, fingerprint) -%}
    {%- if not execute or adapter.get_relation(
        database=watermarks.database,
        schema=watermarks.schema,
        identifier=watermarks.identifier
    ) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(
        "select " ~ sparkify.utc_timestamp_text('max(watermarks.audited_through)')
        ~ " from " ~ watermarks ~ " as watermarks"
        ~ " where watermarks.test_id = '" ~ test_id ~ "'"
        ~ " and watermarks.fingerprint = '" ~ fingerprint ~ "'"
    ).columns[0].values()[0] -%}
    {{ return(found) }}
{%- endmacro %}

{#-
    A timestamp as text 'YYYY-MM-DD HH:MM:SS.ffffff' on the UTC clock, made by
    the engine (a driver would turn it into its process's local time).
-#}
{% macro utc_timestamp_text(expression) -%}
    {{ return(adapter.dispatch('utc_timestamp_text', 'sparkify')(expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp_text(expression) -%}
    {{ exceptions.raise_compiler_error(
        "utc_timestamp_text is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__utc_timestamp_text(expression) -%}
    to_char({{ expression }} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')
{%- endmacro %}

{% macro spark__utc_timestamp_text(expression) -%}
    {#- The session's time zone is UTC (the project's profile). -#}
    date_format({{ expression }}, 'yyyy-MM-dd HH:mm:ss.SSSSSS')
{%- endmacro %}

{#-
    What the test's verdict depends on besides the data: its arguments and
    `where` as written, its severity and thresholds, the values of the vars
    and environment variables they name, the source of every macro of this
    project (a change to any of them resets every watermark), dbt's version,
    the target and its engine. Not seen: a var read inside a macro rather than
    in the test's YAML, and an upgrade of the adapter packages (dbt-adapters,
    dbt-postgres, dbt-spark) that ship the built-in tests' SQL; after either,
    build with --full-refresh.
-#}
{% macro test_fingerprint(test) -%}
    {%- set config = {} -%}
    {%- for key in ['where', 'severity', 'warn_if', 'error_if', 'fail_calc', 'limit'] -%}
        {%- do config.update({key: test.config.get(key)}) -%}
    {%- endfor -%}
    {%- set written = tojson(test.test_metadata.kwargs if test.test_metadata else {}, sort_keys=true)
        ~ '\n' ~ tojson(config, sort_keys=true) -%}
    {%- set parts = [test.unique_id, written, dbt_version, target.name, adapter.type()] -%}
    {%- for name in modules.re.findall("[^_]var\\(\\s*['\"]([^'\"]+)['\"]", written) | unique | sort -%}
        {%- do parts.append('var ' ~ name ~ '=' ~ tojson(var(name, none), sort_keys=true)) -%}
    {%- endfor -%}
    {%- for name in modules.re.findall("env_var\\(\\s*['\"]([^'\"]+)['\"]", written) | unique | sort -%}
        {%- do parts.append('env ' ~ name ~ '=' ~ env_var(name, '')) -%}
    {%- endfor -%}
    {%- set macros = context.get(project_name) -%}
    {%- for name in macros.keys() | sort -%}
        {%- do parts.append(macros[name].macro.macro_sql) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('\n'))) }}
{%- endmacro %}

{#-
    on-run-end: a watermark for every test that passed with the placeholder
    in its `where`, at this build's start: it read every row written before.
-#}
{% macro record_test_watermarks(results) -%}
    {#- An --empty or --sample run reads no rows, or some: it audits nothing. -#}
    {%- if not execute or invocation_args_dict.get('empty') or invocation_args_dict.get('sample') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set marks = {} -%}
    {%- for result in results
        if result.node.resource_type == 'test' and result.status == 'pass'
        and not result.failures -%}
        {%- set found = modules.re.search(
            '/\\* test_watermark (\\{.*?\\}) \\*/', result.node.compiled_code or ''
        ) -%}
        {%- if found -%}
            {%- set mark = fromjson(found.group(1)) -%}
            {%- do marks.setdefault(mark.table, []).append(mark) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for table, table_marks in marks.items() -%}
        {%- do run_query(sparkify.create_test_watermarks(table)) -%}
        {%- set rows = [] -%}
        {%- for mark in table_marks -%}
            {%- do rows.append(
                "('" ~ mark.test_id ~ "', '" ~ mark.fingerprint ~ "', " ~ sparkify.built_at() ~ ")"
            ) -%}
        {%- endfor -%}
        {%- do run_query(
            "insert into " ~ table ~ " (test_id, fingerprint, audited_through) values "
            ~ rows | join(', ')
        ) -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{% macro create_test_watermarks(table) -%}
    {{ return(adapter.dispatch('create_test_watermarks', 'sparkify')(table)) }}
{%- endmacro %}

{% macro default__create_test_watermarks(table) -%}
    {{ exceptions.raise_compiler_error(
        "create_test_watermarks is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__create_test_watermarks(table) -%}
    create table if not exists {{ table }} (
        test_id text not null,
        fingerprint text not null,
        audited_through timestamp with time zone not null
    )
{%- endmacro %}

{% macro spark__create_test_watermarks(table) -%}
    create table if not exists {{ table }} (
        test_id string,
        fingerprint string,
        audited_through timestamp
    ) using parquet
{%- endmacro %}
