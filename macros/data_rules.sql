{#-
    The data rules of one source, applied to the rows of `relation`: every
    column of the relation, plus

    - `quarantine_rule`: the first rule of `rules` the row breaks (null when
      it breaks none),
    - `quarantine_field`: the JSON field that breaks it,
    - `quarantine_value`: that field's raw text (as the record gave it).

    `rules` is a list of (condition, rule, field, raw value expression), in
    the order they are checked; a model lists its source's rules once and
    the three columns are derived from that one list.
-#}
{% macro first_broken_rule(rules) -%}

    case
        {%- for condition, rule, field, value in rules %}
            when {{ condition }} then '{{ rule }}'
        {%- endfor %}
    end as quarantine_rule,
    case
        {%- for condition, rule, field, value in rules %}
            when {{ condition }} then '{{ field }}'
        {%- endfor %}
    end as quarantine_field,
    case
        {%- for condition, rule, field, value in rules %}
            when {{ condition }} then {{ value }}
        {%- endfor %}
    end as quarantine_value

{%- endmacro %}

{#- SQL list of quoted values, for `column in (...)`. -#}
{% macro quoted_list(values) -%}
    {%- for value in values -%}
        '{{ value | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}
