from tests.public.conftest import approved, during, member, organiser  # noqa: F401 -- the public pages' fixtures
