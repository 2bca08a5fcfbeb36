{#-
    Access control: who may look into the schemas dbt builds. dbt grants each model's
    table itself (the `grants` configs in dbt_project.yml), but a role also needs USAGE
    on the table's schema, which dbt does not grant.

    grant_schema_usage_to_readers (on-run-end): for a plain `dbt build` (no build
    suffix), USAGE on every schema built in this run to the roles its models grant to.
    A write-audit-publish build (scripts/build.py) grants nothing here: its schemas are
    copies nobody may read until they pass, and the publish grants USAGE on the
    published schemas (sparkify.publish.swap).
-#}

{% macro grant_schema_usage_to_readers(built_schemas) -%}
    {{ return(adapter.dispatch('grant_schema_usage_to_readers')(built_schemas)) }}
{%- endmacro %}

{% macro default__grant_schema_usage_to_readers(built_schemas) -%}
    {#- An engine without access control (Spark here): nothing to grant. -#}
    {{ return('') }}
{%- endmacro %}

{% macro postgres__grant_schema_usage_to_readers(built_schemas) -%}
    {%- if not execute or env_var('SPARKIFY_BUILD_SCHEMA_SUFFIX', '') != '' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set readers = {} -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.schema in built_schemas -%}
        {%- for grantees in (node.config.grants or {}).values() -%}
            {%- set roles = [grantees] if grantees is string else grantees -%}
            {%- do readers.setdefault(node.schema, []).extend(roles) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for schema, roles in readers.items() -%}
        {%- set quoted = [] -%}
        {%- for role in roles | unique | sort -%}
            {%- do quoted.append(adapter.quote(role)) -%}
        {%- endfor -%}
        {%- do statements.append(
            'grant usage on schema ' ~ adapter.quote(schema) ~ ' to ' ~ quoted | join(', ')
        ) -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}

{#-
    Spark, as this project runs it (a local cluster, a Derby metastore, no Ranger or
    Unity Catalog), has no users to grant to: its GRANT statement is not supported. The
    models' grants stay in the project for Postgres; on Spark they are skipped, and the
    README says what protects the data there instead (the cluster listens on 127.0.0.1).
-#}
{% macro spark__apply_grants(relation, grant_config, should_revoke=True) -%}
    {%- if grant_config -%}
        {{ log('Spark: no access control to apply grants to ' ~ relation.render(), info=False) }}
    {%- endif -%}
{%- endmacro %}
