"""Generate a deterministic synthetic Sparkify dataset: OUT/song_data/ and OUT/log_data/.

Example:
    python scripts/generate_data.py --out data --seed 42 --events 5000 --users 60 \\
        --songs 200 --days 7 --force
"""

from sparkify.cli.generate import run

if __name__ == "__main__":
    run()
