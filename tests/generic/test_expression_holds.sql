{#-
    Fails on every row for which `expression` (a SQL boolean over the model's
    columns) is not true: false or null. Unlike dbt_utils' expression_is_true,
    a null result fails, so the name differs; narrow the rows with the test's
    `where` config.
-#}
{% test expression_holds(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
