-- When do people listen less? One row per month of the data's span (UTC), for
-- seasonality once the data spans more than one, with the days of the span it
-- covers, its plays and listeners, and per-day averages.

{{ listening_by_calendar_period(['month_start'], [
    ('month_label', month_label('month_start')),
]) }}
