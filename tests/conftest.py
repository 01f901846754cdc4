import socket

import pytest

from tests.factories import UserFactory

_LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}
_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    if isinstance(address, tuple) and address and address[0] not in _LOCAL_HOSTS:
        raise OSError(f"Outbound network blocked in tests: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _block_outbound_network():
    """Tests never reach the Internet: external APIs go through offline providers."""
    socket.socket.connect = _guarded_connect
    yield
    socket.socket.connect = _real_connect


@pytest.fixture
def usager(db):
    return UserFactory(role="usager")


@pytest.fixture
def admin_user(db):
    return UserFactory(role="administrateur", is_staff=True, is_superuser=True)
