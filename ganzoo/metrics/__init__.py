"""Measures of what a generator has learned."""

from ganzoo.metrics.mode_coverage import ModeStatistics, mode_statistics
