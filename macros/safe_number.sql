{#-
    Casts that never fail (named apart from dbt's own safe_cast, which its
    unit tests call): `text` (a SQL expression of type text) as one of
    the project's number types, or null when the text is not such a number.
    Staging casts every JSON field through these and keeps the raw text
    beside, so one bad value quarantines its row (see int_events_checked)
    instead of failing the build.

    The same text gives the same answer on both engines: a number is
    `[+-]digits`, for the fractional kinds also with a fraction and an
    exponent (`-1.5`, `2.5e3`), nothing around it (no spaces); and it must
    fit the type:

    - integer: -2147483648 to 2147483647; bigint: 64 bits;
    - numeric: less than 10^28 in size, what Spark's decimal(38,10) holds
      (Postgres' numeric would hold more);
    - double: what a double holds, 0 or at least 2.2250738585072014e-308 in
      size (a smaller number underflows).

    Postgres 15 has no pg_input_is_valid (16+) nor a try_cast, so its branch
    checks the text with a regular expression and the range on a numeric
    before it casts (CASE evaluates its branches in order). Spark checks the
    same expression and then try_casts, which gives null on overflow.
-#}

{#- The shape a number of each kind must have (POSIX and Java regex alike). -#}
{% macro _safe_number_pattern(type_name) -%}
    {%- if type_name in ('integer', 'bigint') -%}
        ^[+-]?[0-9]{1,20}$
    {%- elif type_name in ('numeric', 'double') -%}
        ^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "safe_number: unknown type '" ~ type_name
            ~ "' (integer, bigint, numeric or double)"
        ) }}
    {%- endif -%}
{%- endmacro %}

{% macro safe_number(text, type_name) -%}
    {{ return(adapter.dispatch('safe_number', 'sparkify')(text, type_name)) }}
{%- endmacro %}

{% macro default__safe_number(text, type_name) -%}
    {{ exceptions.raise_compiler_error(
        "safe_number is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__safe_number(text, type_name) -%}
    {%- set bounds = {
        'integer': ('-2147483648', '2147483647', 'integer'),
        'bigint': ('-9223372036854775808', '9223372036854775807', 'bigint'),
        'numeric': ('-9999999999999999999999999999.9999999999', '9999999999999999999999999999.9999999999', 'numeric'),
        'double': ('-1.7976931348623157e308', '1.7976931348623157e308', 'double precision'),
    } -%}
    {%- set low, high, sql_type = bounds[type_name] -%}
    case
        when {{ text }} ~ '{{ sparkify._safe_number_pattern(type_name) }}'
            then
                case
                    when cast({{ text }} as numeric) between {{ low }} and {{ high }}
                    {%- if type_name == 'double' %}
                        and (
                            cast({{ text }} as numeric) = 0
                            or abs(cast({{ text }} as numeric)) >= {{ sparkify._smallest_double() }}
                        )
                    {%- endif %}
                        then cast({{ text }} as {{ sql_type }})
                end
    end
{%- endmacro %}

{% macro spark__safe_number(text, type_name) -%}
    {%- set sql_types = {
        'integer': 'int',
        'bigint': 'bigint',
        'numeric': sparkify.exact_numeric_type(),
        'double': sparkify.double_type(),
    } -%}
    {#- Java's $ also matches before a final line break, which Spark's cast then
        trims ("39\n" would be 39): the end of the text is \z here. -#}
    {%- set pattern = sparkify._safe_number_pattern(type_name) | replace('$', '\\\\z') -%}
    case
        when {{ text }} rlike '{{ pattern }}'
        {%- if type_name == 'double' %}
            and (
                try_cast({{ text }} as double) <> 0
                and abs(try_cast({{ text }} as double)) >= {{ sparkify._smallest_double() }}
                or {{ text }} rlike '^[+-]?[0.]*([eE][+-]?[0-9]+)?\\z'
            )
        {%- endif %}
            then try_cast({{ text }} as {{ sql_types[type_name] }})
    end
{%- endmacro %}

{#- The smallest normal double: a smaller number other than 0 underflows, which
    Postgres refuses and Spark rounds to 0 or keeps subnormal; both call it
    not a double. -#}
{% macro _smallest_double() -%}
    2.2250738585072014e-308
{%- endmacro %}
