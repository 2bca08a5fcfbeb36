"""Write the Sparkify report: one self-contained HTML page (charts inlined, opens offline)
answering the business questions from the marts. Build the marts first (`make build`).

Connection settings come from PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE.
"""

from sparkify.cli.report import run

if __name__ == "__main__":
    run()
