-- Which user agents need a better experience? One row per device class (dim_users,
-- parsed from the user agent), with its active users, listening sessions,
-- plays, plays per session and shares.

{{ listening_by_user_agent('device_class', 'unknown') }}
