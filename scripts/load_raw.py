"""Load Sparkify's raw JSON (song_data, log_data) into Postgres, accounting for every record.

Connection settings come from PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE.
"""

from sparkify.cli.load import run

if __name__ == "__main__":
    run()
