{#-
    Fails on every row that is in the model but not in `compare_model`, or the
    other way round, comparing the model's `columns` with the same number of
    `compare_columns` (defaults: the same names; plain column names). Duplicates
    count: a row fails when it occurs a different number of times on the two
    sides (what EXCEPT ALL both ways finds, in one pass over each side and one
    grouping). One failing row per distinct row, with both counts.
-#}
{% test equal_rowsets(model, compare_model, columns, compare_columns=none) %}

{%- set compare_columns = compare_columns or columns -%}

with

rows_of_both as (

    select
        {{ columns | join(', ') }},
        1 as in_model,
        0 as in_compare_model
    from {{ model }}

    union all

    select
        {{ compare_columns | join(', ') }},
        0 as in_model,
        1 as in_compare_model
    from {{ compare_model }}

),

counted as (

    select
        {{ columns | join(', ') }},
        sum(in_model) as times_in_model,
        sum(in_compare_model) as times_in_compare_model
    from rows_of_both
    group by {{ columns | join(', ') }}

)

select * from counted
where times_in_model <> times_in_compare_model

{% endtest %}
