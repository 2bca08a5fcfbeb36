{#-
    The data rules of one source, applied in two steps so that every
    condition is evaluated once per row:

    - `broken_rule_number(rules)`: the position in `rules` of the first rule
      the row breaks (null when it breaks none); a CTE computes it and ends
      with `evaluate_once()`, so its readers do not evaluate the conditions
      again;
    - `broken_rule_columns(rules, number)`: from that number, the three
      columns a data-rules model adds: `quarantine_rule` (the rule),
      `quarantine_field` (the JSON field that breaks it) and
      `quarantine_value` (that field's raw text, as the record gave it).

    `rules` is a list of (condition, rule, field, raw value expression), in
    the order they are checked; a model lists its source's rules once and
    both steps read that one list.
-#}
{% macro broken_rule_number(rules) -%}

    case
        {%- for condition, rule, field, value in rules %}
            when {{ condition }} then {{ loop.index }}
        {%- endfor %}
    end

{%- endmacro %}

{% macro broken_rule_columns(rules, number) -%}

    case {{ number }}
        {%- for condition, rule, field, value in rules %}
            when {{ loop.index }} then '{{ rule }}'
        {%- endfor %}
    end as quarantine_rule,
    case {{ number }}
        {%- for condition, rule, field, value in rules %}
            when {{ loop.index }} then '{{ field }}'
        {%- endfor %}
    end as quarantine_field,
    case {{ number }}
        {%- for condition, rule, field, value in rules %}
            when {{ loop.index }} then {{ value }}
        {%- endfor %}
    end as quarantine_value

{%- endmacro %}

{#- SQL list of quoted values, for `column in (...)`. -#}
{% macro quoted_list(values) -%}
    {%- for value in values -%}
        '{{ value | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}
