{#-
    Fails unless the model and `compare_model` hold the same rows, each as
    many times (what EXCEPT ALL both ways finds), comparing the model's
    `columns` with the same number of `compare_columns` (defaults: the same
    names; plain column names). Each side is read once and summed up per
    `group_by` (a column of both that is never null, e.g. the source file;
    default: one group) into its row count and `rowset_digest` (hence: the
    same column types on both sides, no floating-point columns), so a test
    over tables of millions of rows sorts nothing. One failing row per group
    that differs, with both counts: to see its rows, run the EXCEPT ALL both
    ways on that group.
-#}
{% test equal_rowsets(model, compare_model, columns, compare_columns=none, group_by=none) %}

{%- set compare_columns = compare_columns or columns -%}
{%- set group = group_by or "'all rows'" -%}

with

model_groups as (

    select
        {{ group }} as row_group,
        count(*) as rows_in_model,
        {{ rowset_digest(columns) }} as model_digest
    from {{ model }}
    group by 1

),

compare_model_groups as (

    select
        {{ group }} as row_group,
        count(*) as rows_in_compare_model,
        {{ rowset_digest(compare_columns) }} as compare_model_digest
    from {{ compare_model }}
    group by 1

),

compared as (

    select
        coalesce(model_groups.row_group, compare_model_groups.row_group) as row_group,
        coalesce(model_groups.rows_in_model, 0) as rows_in_model,
        coalesce(compare_model_groups.rows_in_compare_model, 0) as rows_in_compare_model,
        model_groups.model_digest,
        compare_model_groups.compare_model_digest
    from model_groups
    full outer join compare_model_groups
        on model_groups.row_group = compare_model_groups.row_group

)

select * from compared
where
    rows_in_model <> rows_in_compare_model
    or model_digest <> compare_model_digest

{% endtest %}
