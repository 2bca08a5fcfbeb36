-- What is popular? One row per artist as played (the log's artist name) over
-- the whole data, with its plays, distinct listeners and ranks.

{{ listening_by_item(['artist_name']) }}
