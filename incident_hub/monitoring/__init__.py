"""Monitoring: a decided case followed while its law phases in, re-reviewed on a cadence."""
