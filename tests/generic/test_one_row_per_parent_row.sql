{#-
    Fails unless the model and `parent` (restricted by `parent_where`) are in
    one-to-one correspondence on `key_columns`: every parent row has exactly
    one model row and every model row has its parent. The failing rows say
    which key has how many rows on each side.
-#}
{% test one_row_per_parent_row(model, parent, key_columns, parent_where='true') %}

with

model_keys as (

    select
        {{ key_columns | join(', ') }},
        count(*) as model_rows
    from {{ model }}
    group by {{ key_columns | join(', ') }}

),

parent_keys as (

    select
        {{ key_columns | join(', ') }},
        count(*) as parent_rows
    from {{ parent }}
    where {{ parent_where }}
    group by {{ key_columns | join(', ') }}

),

compared as (

    select
        {% for column in key_columns -%}
            coalesce(model_keys.{{ column }}, parent_keys.{{ column }}) as {{ column }},
        {% endfor -%}
        coalesce(model_keys.model_rows, 0) as model_rows,
        coalesce(parent_keys.parent_rows, 0) as parent_rows
    from model_keys
    full outer join parent_keys
        on
            {% for column in key_columns -%}
                {{ 'and ' if not loop.first }}model_keys.{{ column }} = parent_keys.{{ column }}
            {% endfor %}

)

select *
from compared
where model_rows <> 1 or parent_rows <> 1

{% endtest %}
