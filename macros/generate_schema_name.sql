{#-
    Use a model's custom schema name as-is (`staging`, `intermediate`, `marts`)
    instead of dbt's default `<target_schema>_<custom_schema>`; models without
    one land in the target's schema. Every layer thus has one stable, readable
    schema; give each developer or CI run its own database to keep them apart.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}

    {%- if custom_schema_name is none -%}

        {{ target.schema }}

    {%- else -%}

        {{ custom_schema_name | trim }}

    {%- endif -%}

{%- endmacro %}
