"""Root fixtures. Each area keeps its fixtures in ``tests/fixtures/<area>.py``."""

pytest_plugins = ["tests.fixtures.db", "tests.fixtures.redis", "tests.fixtures.web"]
