from datetime import datetime

import pytest

from tests.factories import UserFactory, make_activity
from tests.support import SHANGHAI

DURING = datetime(2020, 9, 15, 10, 0, tzinfo=SHANGHAI)  # the sample activity runs 09:30–11:30 that day


@pytest.fixture
def organiser():
    return UserFactory(phone="13800138000")


@pytest.fixture
def member():
    return UserFactory(phone="13700137000")


@pytest.fixture
def approved(organiser):
    return make_activity(
        organiser, status="approved", name="节水科普进社区", hosts=["保定市水利局", "示范社区"]
    )


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def during(time_machine):
    time_machine.move_to(DURING, tick=False)
    return time_machine
