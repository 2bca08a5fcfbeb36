"""The synthetic data generator (being split into one module per job)."""

from sparkify.generate.reference import *  # noqa: F403
