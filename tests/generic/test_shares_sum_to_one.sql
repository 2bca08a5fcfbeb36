{#-
    Fails on every group of `group_by` (the whole model when none) whose values
    of the column do not add up to 1 within `tolerance`: shares of a whole that
    lost, or counted twice, part of it.
-#}
{% test shares_sum_to_one(model, column_name, group_by=[], tolerance=0.000001) %}

select
    {% for column in group_by -%}
        {{ column }},
    {% endfor -%}
    coalesce(sum({{ column_name }}), 0) as share_total
from {{ model }}
{% if group_by -%}
    group by {{ group_by | join(', ') }}
{% endif -%}
having abs(coalesce(sum({{ column_name }}), 0) - 1) > {{ tolerance }}

{% endtest %}
