{#-
    Postgres: a model with an enforced contract gets its table in three
    steps: created with its columns and their other constraints (not null),
    filled, and only then given its primary key. dbt-postgres declares the
    key in the create, so each row of the insert goes into the key's index
    one at a time, at random places (the keys are hashes); Postgres's advice
    for filling a table is to build the index after the rows are in
    ("Populating a Database"). At 1M events the facts' builds took half or
    a third of the time; at 10M the page views' rows and key built this way
    took a quarter of the insert's time (docs/benchmarks.md). The table is
    the same: the same columns, types, other constraints and primary key,
    and the same key name (Postgres names it after the table either way).
    One unnamed key of named columns is what this builds; any other form is
    refused. dbt's log then shows the last statement (ALTER TABLE), not the
    insert's row count.

    Everything else (temporary tables, models without a contract) is
    dbt-postgres's own create_table_as. Spark does not enforce these
    constraints, so it has nothing to change.
-#}
{% macro postgres__create_table_as(temporary, relation, sql) -%}
    {%- set contract_config = config.get('contract') -%}
    {%- if temporary or not contract_config.enforced -%}
        {{ dbt.postgres__create_table_as(temporary, relation, sql) }}
    {%- else -%}
        {{ sparkify._create_contracted_table_key_last(relation, sql) }}
    {%- endif -%}
{%- endmacro %}

{% macro _create_contracted_table_key_last(relation, sql) -%}
    {%- set unlogged = config.get('unlogged', default=false) -%}
    {%- set sql_header = config.get('sql_header', none) -%}

    {#- dbt's own check first: a column without a type, or not as the select
        gives it, fails here with dbt's message. -#}
    {{- get_assert_columns_equivalent(sql) -}}

    {#- The columns, and the model's constraints, without the primary key; a
        key column stays not null, as a key declared in the create makes it. -#}
    {%- set keys = [] -%}
    {%- set columns = {} -%}
    {%- for name, column in model['columns'].items() -%}
        {%- set kept = [] -%}
        {%- set column_key = [] -%}
        {%- for constraint in column.get('constraints', []) -%}
            {%- if constraint['type'] == 'primary_key' -%}
                {%- do column_key.append(constraint) -%}
                {%- do keys.append({
                    'constraint': constraint,
                    'columns': [adapter.quote(name) if column.get('quote') else name],
                }) -%}
            {%- else -%}
                {%- do kept.append(constraint) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if column_key and not (kept | selectattr('type', 'equalto', 'not_null') | list) -%}
            {%- do kept.append({'type': 'not_null'}) -%}
        {%- endif -%}
        {%- set without_key = {} -%}
        {%- do without_key.update(column) -%}
        {%- do without_key.update({'constraints': kept}) -%}
        {%- do columns.update({name: without_key}) -%}
    {%- endfor -%}
    {%- set model_constraints = [] -%}
    {%- for constraint in model.get('constraints', []) -%}
        {%- if constraint['type'] == 'primary_key' -%}
            {%- do keys.append({
                'constraint': constraint,
                'columns': constraint.get('columns', []),
            }) -%}
        {%- else -%}
            {%- do model_constraints.append(constraint) -%}
        {%- endif -%}
    {%- endfor -%}

    {#- One unnamed key of named columns: the forms this macro builds the same
        way as dbt-postgres. Any other is refused rather than changed. -#}
    {%- if keys | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "model " ~ model['name'] ~ " declares more than one primary key"
        ) }}
    {%- endif -%}
    {%- for key in keys -%}
        {%- if key.constraint.get('name') or key.constraint.get('expression') or not key.columns -%}
            {{ exceptions.raise_compiler_error(
                "model " ~ model['name'] ~ ": postgres__create_table_as"
                ~ " (macros/create_table_as.sql) builds a primary key of named"
                ~ " columns, without a constraint name or expression"
            ) }}
        {%- endif -%}
    {%- endfor -%}

    {%- set definitions = adapter.render_raw_columns_constraints(raw_columns=columns)
        + adapter.render_raw_model_constraints(raw_constraints=model_constraints) -%}

    {{ sql_header if sql_header is not none }}

    create {% if unlogged %}unlogged {% endif %}table {{ relation }} (
        {{ definitions | join(',\n        ') }}
    );

    insert into {{ relation }} (
        {{ adapter.dispatch('get_column_names', 'dbt')() }}
    )
    (
        {{ get_select_subquery(sql) }}
    );

    {%- for key in keys %}

    alter table {{ relation }} add primary key ({{ key.columns | join(', ') }});
    {%- endfor %}
{%- endmacro %}
