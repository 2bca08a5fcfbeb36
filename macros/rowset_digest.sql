{#-
    An aggregate that sums a 64-bit hash of each row's columns: two sets of
    rows with the same rows, each as many times, have the same digest; two
    that differ have the same digest with a probability of about 2^-64 per
    differing row (on Postgres about 2^-32 when only bigint or timestamp
    columns differ: their type hashes fold 64 bits to 32). It is the multiset
    comparison of `except all` both ways, in one streaming pass over each side
    with nothing to sort or spill, so the reconciliation tests can read whole
    tables of many millions of rows.

    The row's hash must not be linear in its column values, or swapping a
    column's values between two rows would leave the sum unchanged: Postgres'
    `hash_record_extended` (each column's type hash, a null by its position)
    is linear in the column hashes, so its result is hashed again, as text
    (`hashint8extended` would fold it to 32 bits); Spark's `xxhash64` chains
    its columns nonlinearly but skips nulls, so each column's null flag is
    hashed beside it. The sum is exact (numeric, decimal), never wrapping.

    Compare digests of one engine, of columns of the same types on both sides
    (unlike `except all`, nothing is cast to a common type), and no floating
    point columns (Postgres hashes 0.0 and NaN as it hashes null; Spark hashes
    -0.0 and 0.0 apart).
-#}
{% macro rowset_digest(columns) -%}
    {{ return(adapter.dispatch('rowset_digest', 'sparkify')(columns)) }}
{%- endmacro %}

{% macro default__rowset_digest(columns) -%}
    {{ exceptions.raise_compiler_error(
        "rowset_digest is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__rowset_digest(columns) -%}
    sum(hashtextextended(cast(hash_record_extended(row({{ columns | join(', ') }}), 0) as text), 0))
{%- endmacro %}

{% macro spark__rowset_digest(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append(column ~ ', isnull(' ~ column ~ ')') -%}
    {%- endfor -%}
    sum(cast(xxhash64({{ parts | join(', ') }}) as decimal(38, 0)))
{%- endmacro %}
