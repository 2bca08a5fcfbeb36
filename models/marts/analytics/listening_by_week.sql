-- When do people listen less? One row per ISO week (Monday to Sunday, UTC) of
-- the data's span, with the days of the span it covers (the first and last
-- weeks are usually partial), its plays and listeners, per-day averages, and
-- the week that trends are read from.

{{ listening_by_calendar_period(['iso_week_start'], [
    ('week_label', iso_week_label('iso_week_start')),
    ('is_full_week', 'days_in_period = 7'),
    ('is_trend_week', 'iso_week_start = coalesce(max(case when days_in_period = 7 then iso_week_start end) over (), max(iso_week_start) over ())'),
]) }}
