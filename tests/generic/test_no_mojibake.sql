{#-
    Fails on every value of the column that still looks like garbled UTF-8:
    a C1 control character, or "Â"/"Ã" followed by a character of the
    Latin-1 upper half, the traces UTF-8 leaves when read as Latin-1.
-#}
{% test no_mojibake(model, column_name) %}

select {{ column_name }}
from {{ model }}
where
    {{ regexp_like(column_name, '[\\u0080-\\u009f]') }}
    or {{ regexp_like(column_name, '[\\u00c2\\u00c3][\\u0080-\\u00bf]') }}

{% endtest %}
