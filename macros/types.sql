{#-
    Column types the engines spell differently, for casts in models. The
    contracts name the same types through the `column_types` var of
    dbt_project.yml, so keep the two in step.
-#}

{#-
    An exact number with a fraction (song lengths, listening seconds, shares):
    Postgres' unconstrained `numeric`; on Spark a bare `numeric` is
    decimal(10,0) and would drop every fraction, so it is decimal(38,10)
    (28 integer digits, 10 decimals).
-#}
{% macro exact_numeric_type() -%}
    {{ return(adapter.dispatch('exact_numeric_type', 'sparkify')()) }}
{%- endmacro %}

{% macro default__exact_numeric_type() -%}
    {{ exceptions.raise_compiler_error(
        "exact_numeric_type is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__exact_numeric_type() -%}
    numeric
{%- endmacro %}

{% macro spark__exact_numeric_type() -%}
    decimal(38,10)
{%- endmacro %}

{#- An 8-byte floating-point number (dbt.type_float() is 4 bytes on Spark). -#}
{% macro double_type() -%}
    {{ return(adapter.dispatch('double_type', 'sparkify')()) }}
{%- endmacro %}

{% macro default__double_type() -%}
    {{ exceptions.raise_compiler_error(
        "double_type is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__double_type() -%}
    double precision
{%- endmacro %}

{% macro spark__double_type() -%}
    double
{%- endmacro %}
