-- Who is listening less, or stopped? One row per churn-risk reason
-- (cancelled, downgraded, inactive, listening_less), every reason even with
-- no user, with how many users it flags, by current level, and their share of
-- all users.

with

churn_risk as (

    select * from {{ ref('user_churn_risk') }}

),

reasons as (

    {% for reason in ['cancelled', 'downgraded', 'inactive', 'listening_less'] -%}
        select '{{ reason }}' as churn_risk_reason
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

flagged as (

    select
        churn_risk_reason,
        count(*) as flagged_users,
        count(case when level = 'free' then 1 end) as free_users,
        count(case when level = 'paid' then 1 end) as paid_users
    from churn_risk
    where is_churn_risk
    group by 1

),

all_users as (

    select count(*) as user_count
    from churn_risk

),

final as (

    select
        reasons.churn_risk_reason,
        cast(coalesce(flagged.flagged_users, 0) as integer) as flagged_users,
        cast(coalesce(flagged.free_users, 0) as integer) as free_users,
        cast(coalesce(flagged.paid_users, 0) as integer) as paid_users,
        cast(coalesce(flagged.flagged_users, 0) as {{ exact_numeric_type() }})
        / nullif(all_users.user_count, 0)
            as share_of_users
    from reasons
    cross join all_users
    left join flagged
        on reasons.churn_risk_reason = flagged.churn_risk_reason

)

select * from final
