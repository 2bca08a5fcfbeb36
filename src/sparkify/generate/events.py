"""The event simulation: each user's sessions on a day, merged into one time-ordered stream.

Memory does not grow with the event count: a day's events are merged in time order from
one lazy generator per active user. What is held is the catalogue, the users and each
active user's current session.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from random import Random

from sparkify.generate.catalogue import Catalogue
from sparkify.generate.reference import (
    LOGGED_OUT_PAGES,
    LOGGED_OUT_PRELUDES,
    MIDDLE_PAGE_WEIGHTS,
    NEXT_SONG,
    PAGE_REQUESTS,
    SECONDS_PER_DAY,
)
from sparkify.generate.users import LOGGED_OUT, User

# Behaviour knobs, chosen to look like the real logs (about 85% NextSong).
LOGGED_OUT_PRELUDE_SHARE = 0.12
LOGOUT_EPILOGUE_SHARE = 0.10
LOGGED_OUT_ONLY_SESSION_SHARE = 0.25
CHANGE_AT_SESSION_END_SHARE = 0.25
SAVE_AFTER_SETTINGS_SHARE = 0.4
MEAN_SESSION_EVENTS = 15
MEAN_SESSION_GAP_S = 3 * 3_600
MAX_PAGE_GAP_S = 40
EVENT_GAP_ESTIMATE_S = 210  # mean time to the next event: mostly a song's length
# Eventsim time is whole seconds plus one fixed millisecond offset per dataset
# (every real ts and registration ends in 796), which makes ts collide often.
# A few more collisions are forced so that small datasets have some too.
DUPLICATE_TS_WINDOW_S = 10
DUPLICATE_TS_SHARE = 0.1

# Shared (page, logged in) steps: long sessions hold references, not new tuples.
LOGGED_IN_STEPS: dict[str, tuple[str, bool]] = {page: (page, True) for page in PAGE_REQUESTS}
STATE_CHANGING_PAGES = frozenset(
    ("Submit Upgrade", "Submit Downgrade", "Cancellation Confirmation")
)
# page -> the line pieces around its "page" and "status" values.
PAGE_PIECES: dict[str, tuple[str, str]] = {
    page: (f'{method}","page":"{page}","registration":', f',"status":{status},"ts":')
    for page, (method, status) in PAGE_REQUESTS.items()
}


def middle_page_table() -> list[str]:
    """A 1000-slot lookup table: picking a page costs one random() call."""
    table: list[str] = []
    for page, weight in MIDDLE_PAGE_WEIGHTS.items():
        table.extend([page] * round(weight * 1000))
    return table


class EventSimulator:
    """Produces the log lines of one dataset, day by day, in time order."""

    def __init__(self, rng: Random, catalogue: Catalogue, match_share: float, offset_ms: int):
        self.rng = rng
        self.songs = catalogue.songs
        self.off_catalogue = catalogue.off_catalogue
        self.match_share = match_share
        self.offset_suffix = f"{offset_ms:03d}"
        self.next_session_id = 1
        self.page_table = middle_page_table()

    def plan_session(
        self, user: User, size: int, day: int, cancels: bool
    ) -> list[tuple[str, bool]]:
        """The (page, logged in) steps of one session of exactly `size` events."""
        rng = self.rng
        if not cancels and size <= 2 and rng.random() < LOGGED_OUT_ONLY_SESSION_SHARE:
            # A visitor who never logs in: only the logged-out pages.
            return [("Home", False)] + [(rng.choice(LOGGED_OUT_PAGES[2:]), False)] * (size - 1)
        prelude: list[tuple[str, bool]] = []
        epilogue: list[tuple[str, bool]] = []
        if cancels:
            epilogue = [("Cancel", True), ("Cancellation Confirmation", True)]
        elif rng.random() < LOGOUT_EPILOGUE_SHARE:
            epilogue = [("Logout", True)] + ([("Home", False)] if rng.random() < 0.5 else [])
        if rng.random() < LOGGED_OUT_PRELUDE_SHARE:
            prelude = [(page, False) for page in rng.choice(LOGGED_OUT_PRELUDES)]
        if len(prelude) + len(epilogue) >= size:
            prelude = []
        if len(epilogue) >= size and not cancels:
            epilogue = []
        middle_size = size - len(prelude) - len(epilogue)
        level = user.level
        table = self.page_table
        middle: list[tuple[str, bool]] = []
        while len(middle) < middle_size:
            page = table[int(rng.random() * 1000)]
            if page == "Plan":
                page = "Upgrade" if level == "free" else "Downgrade"
            middle.append(LOGGED_IN_STEPS[page])
            if page == "Settings" and rng.random() < SAVE_AFTER_SETTINGS_SHARE:
                middle.append(LOGGED_IN_STEPS["Save Settings"])
        del middle[middle_size:]
        if user.change_days and user.change_days[0] <= day and middle_size >= 2:
            # Mostly mid-session, so that the level changes between two events of a session.
            user.change_days.pop(0)
            view, submit = ("Upgrade", "Submit Upgrade")
            if level == "paid":
                view, submit = ("Downgrade", "Submit Downgrade")
            at_end = middle_size == 2 or rng.random() < CHANGE_AT_SESSION_END_SHARE
            at = middle_size - 2 if at_end else rng.randrange(middle_size - 2)
            middle[at : at + 2] = [(view, True), (submit, True)]
        return prelude + middle + epilogue

    def user_day_events(
        self, user: User, count: int, day: int, day_start_s: int
    ) -> Iterator[tuple[int, str, str]]:
        """Yield (ts in seconds, line up to ts, line after ts) for one user's day."""
        rng = self.rng
        cancels = user.cancel_day is not None and user.cancel_day <= day and count >= 2
        mean_size = max(MEAN_SESSION_EVENTS, count / 5)
        pause_share = MEAN_SESSION_GAP_S / mean_size  # pause time per event, on average
        # Start so that the day's sessions and pauses, about natural_s long, end by midnight.
        natural_s = count * (EVENT_GAP_ESTIMATE_S + pause_share)
        latest_start_s = max(0.0, SECONDS_PER_DAY - min(natural_s, 0.85 * SECONDS_PER_DAY))
        t = day_start_s + int(rng.random() * latest_start_s)
        day_last_s = day_start_s + SECONDS_PER_DAY - 1
        remaining = count
        songs, off_catalogue = self.songs, self.off_catalogue
        popular_bound, off_bound = len(songs), len(off_catalogue)
        match_share = self.match_share
        random = rng.random
        while remaining:
            size = min(remaining, 1 + int(rng.expovariate(1 / (mean_size - 1))))
            if cancels and remaining - size < 2:
                size = remaining  # the last session ends with the cancellation
            session_id = self.next_session_id
            self.next_session_id += 1
            plan = self.plan_session(user, size, day, cancels and size == remaining)
            last_item = len(plan) - 1
            for item, (page, logged_in) in enumerate(plan):
                page_piece, status_piece = PAGE_PIECES[page]
                if page == NEXT_SONG:
                    if random() < match_share:
                        # Skewed popularity: the head of the catalogue is played most.
                        song = songs[int(popular_bound * random() ** 2)]
                    else:
                        song = off_catalogue[int(off_bound * random())]
                    artist, title, length = song.artist_json, song.title_json, song.duration_json
                    gap = song.seconds
                else:
                    artist = title = length = "null"
                    gap = 1 + int(random() * MAX_PAGE_GAP_S)
                who = user.persona if logged_in else LOGGED_OUT
                head = (
                    f'{{"artist":{artist}{who.auth_to_item}{item}{who.last_name_to_length}'
                    f'{length},"level":"{user.level}{who.location_to_method}{page_piece}'
                    f'{who.registration_to_session}{session_id},"song":{title}{status_piece}'
                )
                tail = who.tail
                yield t, head, tail
                if page in STATE_CHANGING_PAGES:
                    if page == "Submit Upgrade":
                        user.level = "paid"
                    elif page == "Submit Downgrade":
                        user.level = "free"
                    else:
                        user.cancelled = True
                remaining -= 1
                if not remaining:
                    return
                # Each remaining event keeps at least one second before midnight, and a
                # user too busy for the time left has every gap shortened alike: an event's
                # gap gets at most a fair share of the room, a pause only the room to spare.
                room = day_last_s - t
                need = remaining * (EVENT_GAP_ESTIMATE_S + pause_share)
                limit = room // remaining
                gap_s = gap
                if item == last_item:
                    gap_s += rng.expovariate(1 / MEAN_SESSION_GAP_S)
                    limit = max(limit, int(room - need))
                step = int(gap_s * room / need) if need > room else int(gap_s)
                if step > limit:
                    # Somewhere in the room rather than all at its edge (midnight).
                    step = 1 + int(random() * limit)
                t += step if step > 0 else 1

    def day_lines(
        self, allocation: list[tuple[User, int]], day: int, day_start_s: int
    ) -> Iterator[str]:
        """Yield the day's log lines: the users' events merged in time order."""
        rng = self.rng
        heap: list[tuple[int, int, str, str, Iterator[tuple[int, str, str]]]] = []
        for user, count in allocation:
            events = self.user_day_events(user, count, day, day_start_s)
            t, head, tail = next(events)
            heap.append((t, user.index, head, tail, events))
        heapq.heapify(heap)
        last_emitted_s = {user.index: -1 for user, _ in allocation}
        suffix = self.offset_suffix
        previous_t, previous_user, previous_shared = -1, -1, False
        while heap:
            t, user_index, head, tail, events = heap[0]
            if (
                t - previous_t <= DUPLICATE_TS_WINDOW_S
                and t != previous_t
                and not previous_shared
                and user_index != previous_user
                and previous_t > last_emitted_s[user_index]
                and rng.random() < DUPLICATE_TS_SHARE
            ):
                # Moved back onto the previous event's ts, never onto or before this
                # user's own previous event: the file and each user stay in order.
                t = previous_t
            previous_shared = t == previous_t
            last_emitted_s[user_index] = t
            yield f"{head}{t}{suffix}{tail}"
            previous_t, previous_user = t, user_index
            step = next(events, None)
            if step is None:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, (step[0], user_index, step[1], step[2], events))
