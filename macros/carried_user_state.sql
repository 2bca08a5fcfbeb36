{#-
    Models of one row per user (or per user and period, or per user and hour)
    computed from all of a user's events (in the order they happened, or
    counted), which carry that state from run to run (Postgres): an
    incremental run reads only the events loaded since the model's latest
    `_loaded_at` (each row's `_loaded_at` is the latest of the events it was
    computed from) and carries each user's rows on with them, instead of
    reading every event again. The model writes, by its unique key
    (`delete+insert`), the rows the new events change (those of the users
    with new events; per hour, only the hours with new plays).

    That is right only while the rows' events all still stand and the new
    ones come after them. The pre-hook forget_user_state empties the model
    when that may not hold, and an empty model takes every event, as a full
    build does. The model itself stays engine-neutral: it reads `this` only
    under `is_incremental()`.

    Spark (parquet: no delete, and one statement cannot read and overwrite a
    table): a table rebuilt on each run, from every event.
-#}

{#- The model's materialization: incremental where the state can be carried. -#}
{% macro carried_state_materialization() -%}
    {{ return(adapter.dispatch('carried_state_materialization', 'sparkify')()) }}
{%- endmacro %}

{% macro default__carried_state_materialization() -%}
    {{ exceptions.raise_compiler_error(
        "carried_state_materialization is not implemented for adapter " ~ adapter.type()
    ) }}
{%- endmacro %}

{% macro postgres__carried_state_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__carried_state_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{#-
    Pre-hook (Postgres): deletes every row of the model when its state cannot
    be carried on with the events loaded since its latest `_loaded_at`
    (`events`: the events that go on, with their key and lineage), that is
    when
    - a loader run since then may have replaced a file (the raw.load_runs
      guard of incremental_by_load.sql): rows of the old version may be gone;
    - a new event's key has duplicates (`duplicates`: int_event_duplicates):
      it may have become the first of its key, so that an event the model
      counted no longer goes on;
    - with `ordered`: a new event of a user is not after the latest event
      the user's rows hold (`last_event_at`), so the user's order changed.
    The run then takes every event. Nothing on Spark, where the model is a
    table.
-#}
{% macro forget_user_state(events, duplicates, load_runs, ordered=false) -%}
    {%- if is_incremental() -%}
        {{ return(adapter.dispatch('forget_user_state', 'sparkify')(
            events, duplicates, load_runs, ordered
        )) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__forget_user_state(events, duplicates, load_runs, ordered) -%}
    {%- set replaced = sparkify.files_replaced_since_last_run(load_runs) -%}
    delete from {{ this }}
    where
        {{ 'true' if replaced else 'false' }}
        or exists (
            select 1
            from {{ events }} as new_events
            inner join {{ duplicates }} as duplicates
                on
                    new_events.session_id = duplicates.session_id
                    and new_events.item_in_session = duplicates.item_in_session
            where new_events._loaded_at > {{ sparkify.last_loaded_at() }}
        )
        {%- if ordered %}
        or exists (
            select 1
            from {{ events }} as new_events
            inner join {{ this }} as carried
                on new_events.user_id = carried.user_id
            where
                new_events._loaded_at > {{ sparkify.last_loaded_at() }}
                and new_events.event_at <= carried.last_event_at
        )
        {%- endif %}
{%- endmacro %}

{% macro spark__forget_user_state(events, duplicates, load_runs, ordered) -%}
{%- endmacro %}
