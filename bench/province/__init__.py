"""The province on the production shape (gunicorn, RQ workers in the Procfile's roles,
PostgreSQL and Redis of its own): load, latency and fault benchmarks. See ``__main__``."""
