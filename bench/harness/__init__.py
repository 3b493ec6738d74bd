"""Helpers of bench/run.py: servers, process statistics, mail corpus, scenarios, report."""
