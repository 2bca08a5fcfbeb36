-- What is trending? One row per song as played and ISO week (Monday, UTC),
-- with its plays, listeners, ranks and the change from the week before.

{{ listening_by_item_and_week(['artist_name', 'song_title']) }}
