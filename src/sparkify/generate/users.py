"""The users: who they are (pre-encoded for the log lines), their level plans and cancellations."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from sparkify.generate.encoding import json_string_like_eventsim
from sparkify.generate.names import random_person
from sparkify.generate.reference import (
    LEVEL_PLANS,
    SECONDS_PER_DAY,
    USER_AGENTS,
    USER_LOCATIONS,
)

# Registrations fall between one and this many days before the first day.
MAX_REGISTRATION_AGE_DAYS = 200
ONE_WAY_PLAN_SHARE = 0.15  # free->paid or paid->free
# Below this bound (and above the one-way share): there and back again.
ROUND_TRIP_PLAN_BOUND = 0.2
FREE_SHARE = 0.55  # of the users without a plan
CANCEL_SHARE = 0.04
# At least this many users give every kind of level change / a cancellation.
USERS_FOR_FORCED_PLANS = 3
USERS_FOR_FORCED_CANCEL = 10
MIN_FORCED_PLAN_WEIGHT = 1.5  # busy enough to be seen changing level


@dataclass(frozen=True, slots=True)
class Persona:
    """The pre-encoded pieces of a log line that only depend on who is acting.

    A line is assembled from these and the event's own fields (see events.py):
    building it from a few big pieces is what makes the generator fast.
    """

    auth_to_item: str  # ,"auth":...,"itemInSession":
    last_name_to_length: str  # ,"lastName":...,"length":
    location_to_method: str  # ","location":...,"method":"
    registration_to_session: str  # registration value and ,"sessionId":
    tail: str  # ,"userAgent":...,"userId":...}


def logged_in_persona(
    first: str, gender: str, last: str, location: str, registration: str, agent: str, user_id: str
) -> Persona:
    # The real user agents carry literal double quotes inside the JSON string.
    agent_json = json_string_like_eventsim(f'"{agent}"')
    return Persona(
        auth_to_item=(
            f',"auth":"Logged In","firstName":{json_string_like_eventsim(first)},'
            f'"gender":{json_string_like_eventsim(gender)},"itemInSession":'
        ),
        last_name_to_length=f',"lastName":{json_string_like_eventsim(last)},"length":',
        location_to_method=f'","location":{json_string_like_eventsim(location)},"method":"',
        registration_to_session=f'{registration},"sessionId":',
        tail=f',"userAgent":{agent_json},"userId":"{user_id}"}}',
    )


LOGGED_OUT = Persona(
    auth_to_item=',"auth":"Logged Out","firstName":null,"gender":null,"itemInSession":',
    last_name_to_length=',"lastName":null,"length":',
    location_to_method='","location":null,"method":"',
    registration_to_session='null,"sessionId":',
    tail=',"userAgent":null,"userId":""}',
)


@dataclass(slots=True)
class User:
    index: int
    level: str
    weight: float
    change_days: list[int]  # days on which a planned level change is due, ascending
    cancel_day: int | None
    persona: Persona  # what the user's logged-in events say about them
    cancelled: bool = False


def weighted_user_agents() -> list[str]:
    """Each agent repeated by its weight: one choice() picks by weight."""
    return [agent for weight, agent in USER_AGENTS for _ in range(weight)]


def random_level_plan(rng: Random) -> str:
    """ "" (no change), or one of LEVEL_PLANS."""
    roll = rng.random()
    if roll < ONE_WAY_PLAN_SHARE:
        return rng.choice(LEVEL_PLANS[:2])
    if roll < ROUND_TRIP_PLAN_BOUND:
        return rng.choice(LEVEL_PLANS[2:])
    return ""


def build_users(rng: Random, count: int, days: int, start_s: int, offset_ms: int) -> list[User]:
    """count users, registered before start_s (epoch seconds of the first day)."""
    agents = weighted_user_agents()
    order = list(range(count))
    rng.shuffle(order)
    # Guarantee each kind of level change and a cancellation in small datasets too.
    forced_plans = (
        {order[i]: LEVEL_PLANS[i] for i in range(USERS_FOR_FORCED_PLANS)}
        if count >= USERS_FOR_FORCED_PLANS
        else {}
    )
    forced_cancel = order[3] if count >= USERS_FOR_FORCED_CANCEL else None
    users: list[User] = []
    for index in range(count):
        gender, first, last = random_person(rng)
        registered_s = start_s - rng.randrange(
            SECONDS_PER_DAY, MAX_REGISTRATION_AGE_DAYS * SECONDS_PER_DAY
        )
        plan = forced_plans.get(index)
        if plan is None:
            plan = random_level_plan(rng)
        level = plan.split("->")[0] if plan else ("free" if rng.random() < FREE_SHARE else "paid")
        # Forced plans happen early so that later days can absorb a deferral.
        latest = max(1, days // 2) if index in forced_plans else days
        change_days = sorted(rng.randrange(latest) for _ in range(plan.count("->")))
        cancel_day = None
        if index == forced_cancel or (
            index != order[0] and forced_cancel is not None and rng.random() < CANCEL_SHARE
        ):
            cancel_day = rng.randrange(days // 2, days) if days > 1 else 0
        weight = rng.lognormvariate(0.0, 0.8)
        if index in forced_plans:
            weight = max(weight, MIN_FORCED_PLAN_WEIGHT)
        persona = logged_in_persona(
            first=first,
            gender=gender,
            last=last,
            location=rng.choice(USER_LOCATIONS),
            registration=repr(float(registered_s * 1000 + offset_ms)),
            agent=rng.choice(agents),
            user_id=str(index + 1),
        )
        users.append(User(index, level, weight, change_days, cancel_day, persona))
    return users
