{#-
    Postgres: a model with an enforced contract gets its table in three
    steps: created with its columns and their other constraints (not null),
    filled, and only then given its primary key. dbt-postgres declares the
    key in the create, so each row of the insert goes into the key's index
    one at a time, at random places (the keys are hashes); Postgres's advice
    for filling a table is to build the index after the rows are in
    ("Populating a Database"). At 10M events that made the two facts' builds
    several times faster (docs/benchmarks.md). The table is the same: the
    same columns, types, not nulls and primary key, and the same key name
    (Postgres names it after the table either way).

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
    {%- set key_columns = [] -%}

    {#- The columns, and the model's constraints, without the primary key. -#}
    {%- set columns = {} -%}
    {%- for name, column in model['columns'].items() -%}
        {%- set kept = [] -%}
        {%- for constraint in column.get('constraints', []) -%}
            {%- if constraint['type'] == 'primary_key' -%}
                {%- do key_columns.append(adapter.quote(name) if column.get('quote') else name) -%}
            {%- else -%}
                {%- do kept.append(constraint) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set without_key = {} -%}
        {%- do without_key.update(column) -%}
        {%- do without_key.update({'constraints': kept}) -%}
        {%- do columns.update({name: without_key}) -%}
    {%- endfor -%}
    {%- set model_constraints = [] -%}
    {%- for constraint in model.get('constraints', []) -%}
        {%- if constraint['type'] == 'primary_key' -%}
            {%- do key_columns.extend(constraint['columns']) -%}
        {%- else -%}
            {%- do model_constraints.append(constraint) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set definitions = adapter.render_raw_columns_constraints(raw_columns=columns)
        + adapter.render_raw_model_constraints(raw_constraints=model_constraints) -%}

    {{ sql_header if sql_header is not none }}

    {{ get_assert_columns_equivalent(sql) }}

    create {% if unlogged %}unlogged {% endif %}table {{ relation }} (
        {{ definitions | join(',\n        ') }}
    );

    insert into {{ relation }} (
        {{ adapter.dispatch('get_column_names', 'dbt')() }}
    )
    (
        {{ get_select_subquery(sql) }}
    );

    {%- if key_columns %}

    alter table {{ relation }} add primary key ({{ key_columns | join(', ') }});
    {%- endif %}
{%- endmacro %}
