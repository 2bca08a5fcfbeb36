{#-
    Ends a CTE whose columns are expressions that its readers name more than
    once (a JSON field that is checked, cast and kept): they are computed once
    per row, not once per mention. Postgres flattens a subquery into the
    query that reads it and copies each column's expression to every place
    that names it; an `offset 0` keeps the subquery whole. Spark's optimizer
    does not merge projections when that would repeat a costly expression, so
    there is nothing to say.
-#}
{% macro evaluate_once() -%}
    {{ return(adapter.dispatch('evaluate_once', 'sparkify')()) }}
{%- endmacro %}

{% macro default__evaluate_once() -%}
{%- endmacro %}

{% macro postgres__evaluate_once() -%}
    offset 0
{%- endmacro %}
