"""Recording middleware, views and urls for the request-path fidelity harness.

`tests/test_fidelity.py` sends the same requests through Django's `AsyncClient`
and through `AsyncAPIClient` (coalescing on and off) and compares what is recorded
here: every hook, view and signal receiver appends an event naming itself, the
thread kind it ran on and whether it ran in the test's event loop.
"""
