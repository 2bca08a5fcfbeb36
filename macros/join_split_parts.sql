{#-
    A join clause that repeats each row of the preceding from-clause once per
    part of `column` split on `delimiter`, the part in
    `relation_alias.part_column`; a null `column` gives no row. Place it last
    in the from-clause (after every other join, before `where`): Spark puts
    its `lateral view` there. `delimiter` is one literal character with no
    regular-expression meaning (Spark's split takes a regular expression).
-#}
{% macro join_split_parts(column, delimiter, relation_alias, part_column) -%}
    {{ return(adapter.dispatch('join_split_parts', 'sparkify')(
        column, delimiter, relation_alias, part_column
    )) }}
{%- endmacro %}

{% macro default__join_split_parts(column, delimiter, relation_alias, part_column) -%}
    {{ exceptions.raise_compiler_error(
        "join_split_parts is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__join_split_parts(column, delimiter, relation_alias, part_column) -%}
    cross join
        lateral unnest(
            string_to_array({{ column }}, '{{ delimiter }}')
        ) as {{ relation_alias }} ({{ part_column }})
{%- endmacro %}

{% macro spark__join_split_parts(column, delimiter, relation_alias, part_column) -%}
    lateral view explode(split({{ column }}, '{{ delimiter }}')) {{ relation_alias }} as {{ part_column }}
{%- endmacro %}
