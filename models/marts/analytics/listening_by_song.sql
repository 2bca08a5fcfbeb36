-- What is popular? One row per song as played (title and artist name from the
-- log) over the whole data, with its plays, distinct listeners and ranks.

{{ listening_by_item(['artist_name', 'song_title']) }}
