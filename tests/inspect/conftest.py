import pytest

from .tiny import trained_run


@pytest.fixture(scope="session")
def digits_run(tmp_path_factory):
    """A trained 2-epoch digits run; tests read it and never change it."""
    return trained_run(tmp_path_factory.mktemp("inspect-runs"))
