"""Loaded for every suite here (tests/, contract-tests/, clients-tests/)."""

from tests.leaks import no_process_outlives_the_run, pytest_configure  # noqa: F401
