{#-
    Fails on every group of `group_by` (the whole model when none) whose sum of
    the column differs from the row count of `compare_model` (restricted by
    `compare_where`): an aggregate that lost or double-counted rows of what it
    counts, e.g. plays per level that do not add up to the plays.
-#}
{% test sum_matches_row_count(model, column_name, compare_model, group_by=[], compare_where='true') %}

with

compare_rows as (

    select count(*) as row_count
    from {{ compare_model }}
    where {{ compare_where }}

),

model_sums as (

    select
        {% for column in group_by -%}
            {{ column }},
        {% endfor -%}
        coalesce(sum({{ column_name }}), 0) as column_sum
    from {{ model }}
    {% if group_by -%}
        group by {{ group_by | join(', ') }}
    {% endif %}

)

select
    model_sums.*,
    compare_rows.row_count as compare_row_count
from model_sums
cross join compare_rows
where model_sums.column_sum <> compare_rows.row_count

{% endtest %}
