{#-
    Fails unless the model and `parent` (restricted by `parent_where`) are in
    one-to-one correspondence on `key_columns`: each key is in the model as
    many times as in the parent, so with the parent's keys unique (test that
    on the parent), every parent row has exactly one model row and every model
    row its parent. It is `equal_rowsets` on the keys: each side is read once
    and summed up per `group_by` (a column of both that is never null, e.g.
    the source file; default: one group) into its row count and the
    `rowset_digest` of its keys. One failing row per group that differs, with
    both counts.
-#}
{% test one_row_per_parent_row(model, parent, key_columns, parent_where='true', group_by=none) %}

{{ test_equal_rowsets(
    model,
    '(select * from ' ~ parent ~ ' where ' ~ parent_where ~ ') as parent_rows',
    key_columns,
    group_by=group_by
) }}

{% endtest %}
