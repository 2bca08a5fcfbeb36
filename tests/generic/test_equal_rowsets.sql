{#-
    Fails on every row that is in the model but not in `compare_model`, or the
    other way round (duplicates counted), comparing the model's `columns`
    with the same number of `compare_columns` (defaults: the same names).
-#}
{% test equal_rowsets(model, compare_model, columns, compare_columns=none) %}

{%- set compare_columns = compare_columns or columns -%}

with

model_rows as (

    select {{ columns | join(', ') }} from {{ model }}

),

compare_rows as (

    select {{ compare_columns | join(', ') }} from {{ compare_model }}

),

only_in_model as (

    select * from model_rows
    except all
    select * from compare_rows

),

only_in_compare as (

    select * from compare_rows
    except all
    select * from model_rows

)

select 'only in model' as found, * from only_in_model
union all
select 'only in compare model' as found, * from only_in_compare

{% endtest %}
