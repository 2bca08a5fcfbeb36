-- When do people listen less? One row per ISO weekday (Monday 1 .. Sunday 7,
-- UTC), with the days of the data's span that fall on it, its plays and
-- listeners, and per-day averages (a month has five of some weekdays and four
-- of others).

{{ listening_by_calendar_period(['iso_weekday', 'weekday_name']) }}
