{#-
    Schema names per target, as dbt recommends, so that two people or two CI
    runs sharing one warehouse or Spark cluster never write into each other's
    schemas:

    - the default target schema, `analytics` (profiles.yml.example's dev and
      spark outputs): a model's custom schema as-is, `staging`,
      `intermediate`, `marts`, one stable, readable schema per layer;
    - any other target schema (e.g. `SPARKIFY_SPARK_SCHEMA=ci_123`): the layer
      prefixed by it, `ci_123_staging`, `ci_123_intermediate`, `ci_123_marts`;
    - models without a custom schema land in the target schema itself.

    The raw landing schema (var `raw_schema`) is the loader's, not dbt's.

    Write-audit-publish (`python scripts/build.py`, what `make build` runs):
    with SPARKIFY_BUILD_SCHEMA_SUFFIX set (`__build`), every custom schema
    gets the suffix, `marts__build`, ...; the build and its tests run there,
    and sparkify.publish swaps those schemas with the published ones in one
    transaction only when every error-severity test passed. Unset (a plain
    `dbt build`), dbt writes the published schemas directly.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}

    {%- set shared_default = 'analytics' -%}
    {%- set suffix = env_var('SPARKIFY_BUILD_SCHEMA_SUFFIX', '') -%}

    {%- if custom_schema_name is none -%}

        {{ target.schema }}

    {%- elif target.schema == shared_default -%}

        {{ custom_schema_name | trim }}{{ suffix }}

    {%- else -%}

        {{ target.schema }}_{{ custom_schema_name | trim }}{{ suffix }}

    {%- endif -%}

{%- endmacro %}
