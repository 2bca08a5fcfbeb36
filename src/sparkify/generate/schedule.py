"""How many events each day gets, and each user on a day: exact splits by weight."""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

from sparkify.errors import GenerationError
from sparkify.generate.users import User

INACTIVE_DAY_SHARE = 0.35  # a user with nothing due sits out a day this often
WEEKEND_WEIGHT = 0.8
# Past this a user would have to act every few seconds all day long.
MAX_EVENTS_PER_USER_DAY = 20_000


def split_exactly(total: int, weights: list[float]) -> list[int]:
    """Split total into integer parts proportional to weights (largest remainder)."""
    weight_sum = sum(weights)
    shares = [total * w / weight_sum for w in weights]
    parts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - shares[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def events_per_day(rng: Random, events: int, days: int, start: date) -> list[int]:
    """An exact split of the events over the days, weekends a little quieter."""
    weights = []
    for day in range(days):
        weekend = (start + timedelta(days=day)).weekday() >= 5
        weights.append(rng.uniform(0.7, 1.3) * (WEEKEND_WEIGHT if weekend else 1.0))
    if events >= days:
        # Every day gets at least one event, hence one file.
        return [1 + part for part in split_exactly(events - days, weights)]
    return split_exactly(events, weights)


def events_per_user(rng: Random, users: list[User], day: int, quota: int) -> list[tuple[User, int]]:
    """An exact split of one day's events over the users still subscribed."""
    active = [user for user in users if not user.cancelled]
    weights = []
    for user in active:
        must_act = (user.cancel_day is not None and user.cancel_day <= day) or (
            user.change_days and user.change_days[0] <= day
        )
        if not must_act and rng.random() < INACTIVE_DAY_SHARE:
            weights.append(0.0)
        else:
            weights.append(user.weight * rng.uniform(0.5, 1.5))
    busy = sum(1 for w in weights if w > 0)
    if busy * MAX_EVENTS_PER_USER_DAY < quota:
        weights = [user.weight for user in active]
    if len(active) * MAX_EVENTS_PER_USER_DAY < quota:
        raise GenerationError(
            f"day {day + 1} needs {quota:,} events but only {len(active):,} users are left; "
            "use more --users"
        )
    counts = split_exactly(quota, weights)
    # Cap very heavy users; their excess goes to the others, most eligible first.
    excess = 0
    for i, count in enumerate(counts):
        if count > MAX_EVENTS_PER_USER_DAY:
            excess += count - MAX_EVENTS_PER_USER_DAY
            counts[i] = MAX_EVENTS_PER_USER_DAY
    i = 0
    while excess:
        room = MAX_EVENTS_PER_USER_DAY - counts[i]
        moved = min(room, excess)
        counts[i] += moved
        excess -= moved
        i += 1
    return [(user, count) for user, count in zip(active, counts, strict=True) if count]
