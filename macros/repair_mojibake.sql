{#-
    Repairs text that was UTF-8, misread as Latin-1 and encoded to UTF-8 again,
    up to twice ("Ana CaÃ\u0083Â±as" -> "Ana CaÃ±as" -> "Ana Cañas").

    A string is only reinterpreted when it "looks like mojibake": every
    character is in the Latin-1 range, at least one is not ASCII, and read as
    bytes they are well-formed UTF-8. Correct text ("Cañas", "Åström",
    "Ĳssel") fails that test and is returned unchanged, so the repair is safe
    on clean data and a no-op once the text is right. The cheap test comes
    first: most text is ASCII, and in practice both engines stop an `and` at
    its first false operand, so the full pattern is matched only against the
    rest (the order cannot change a result: both tests are pure).
-#}
{% macro repair_mojibake(column) -%}
    {{ return(adapter.dispatch('repair_mojibake', 'sparkify')(column)) }}
{%- endmacro %}

{% macro default__repair_mojibake(column) -%}
    {{ exceptions.raise_compiler_error(
        "repair_mojibake is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__repair_mojibake(column) -%}
    {{ sparkify._postgres__repair_mojibake_once(
        sparkify._postgres__repair_mojibake_once(column)
    ) }}
{%- endmacro %}

{% macro _postgres__repair_mojibake_once(column) -%}
    case
        when
            {{ column }} ~ '[\u0080-\u00ff]'
            and {{ column }} ~ '{{ sparkify._utf8_as_latin1_pattern() }}'
            then convert_from(convert_to({{ column }}, 'LATIN1'), 'UTF8')
        else {{ column }}
    end
{%- endmacro %}

{% macro spark__repair_mojibake(column) -%}
    {{ sparkify._spark__repair_mojibake_once(
        sparkify._spark__repair_mojibake_once(column)
    ) }}
{%- endmacro %}

{% macro _spark__repair_mojibake_once(column) -%}
    {#- The same guard as on Postgres (Spark's string literals turn \uXXXX
        into the character, Java's regular expressions take the rest as is):
        decode(encode(...)) raises on text that is not mojibake. -#}
    case
        when
            {{ column }} rlike '[\u0080-\u00ff]'
            and {{ column }} rlike '{{ sparkify._utf8_as_latin1_pattern() }}'
            then decode(encode({{ column }}, 'ISO-8859-1'), 'UTF-8')
        else {{ column }}
    end
{%- endmacro %}

{#- A regular expression (Postgres and Java alike) matching the text whose
    characters, read as Latin-1 bytes, are well-formed UTF-8. -#}
{% macro _utf8_as_latin1_pattern() -%}
    {#- Well-formed UTF-8 byte sequences, one code point per alternative,
        written as the Latin-1 characters that stand for those bytes. -#}
    {%- set pattern = (
        "^([\\u0001-\\u007f]"
        ~ "|[\\u00c2-\\u00df][\\u0080-\\u00bf]"
        ~ "|\\u00e0[\\u00a0-\\u00bf][\\u0080-\\u00bf]"
        ~ "|[\\u00e1-\\u00ec\\u00ee\\u00ef][\\u0080-\\u00bf]{2}"
        ~ "|\\u00ed[\\u0080-\\u009f][\\u0080-\\u00bf]"
        ~ "|\\u00f0[\\u0090-\\u00bf][\\u0080-\\u00bf]{2}"
        ~ "|[\\u00f1-\\u00f3][\\u0080-\\u00bf]{3}"
        ~ "|\\u00f4[\\u0080-\\u008f][\\u0080-\\u00bf]{2})*$"
    ) -%}
    {{- pattern -}}
{%- endmacro %}
