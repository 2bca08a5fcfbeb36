{#-
    Fails on every row for which `expression` (a SQL boolean over the model's
    columns) is not true. Narrow the rows with the test's `where` config.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
