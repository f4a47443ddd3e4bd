import pytest

from accounts.models import Organization, Role
from config.celery import app as celery_app
from tests.factories import MembershipFactory, OrganizationFactory, ceilings_seed_again
from tests.two_factor import verify_session_of
from tests.workers import broker_unreachable, embedded_broker_in


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _own_embedded_broker(tmp_path_factory):
    """Worker tests on the embedded broker publish to a folder of the session's own."""
    if celery_app.conf.broker_url == "filesystem://":
        embedded_broker_in(tmp_path_factory.mktemp("var"))


@pytest.fixture(autouse=True)
def _eager_celery_in_unit_tests(request):
    """Unit tests run tasks in-process; tests marked ``worker`` go through a real worker."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def broker_down(_eager_celery_in_unit_tests):
    """Redis unreachable for this process (``tests.workers.broker_unreachable``)."""
    with broker_unreachable():
        yield


@pytest.fixture(scope="session", autouse=True)
def _force_login_with_second_factor():
    """``client.force_login(user)`` skips the password; it skips the second factor too, as a
    log-in completed by the person would (``tests.accounts.test_two_factor`` tests both steps
    through the pages). Only for an account that needs one: any other session keeps no device,
    as in real life."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        verify_session_of(self, user)

    Client.force_login = force_login
    yield
    Client.force_login = original


@pytest.fixture(autouse=True)
def _fresh_content_types(request):
    """A transactional test empties every table, content types included, and they come back
    with new ids: the cached ones (the audit log uses them) must not outlive the flush."""
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
    yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Receipts, attestations and reports written by a test go to a temporary folder, not to
    var/: each test its own."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def legal_ceilings(db):
    """The ceilings the data migrations seed. Transactional tests (live server, browser) empty
    every table after each test, migration data included: they ask for this fixture."""
    ceilings_seed_again()


# Personas: one operator with its staff, a housing company partner, and another operator.


@pytest.fixture
def operator(db):
    return OrganizationFactory(name="Mission Locale de Test", slug="ml-test")


@pytest.fixture
def other_operator(db):
    return OrganizationFactory(name="Mission Locale Voisine", slug="ml-voisine")


@pytest.fixture
def housing(db):
    return OrganizationFactory(
        name="Logement Test", slug="logement-test", kind=Organization.Kind.HOUSING
    )


def _member(organization, role, **kwargs):
    return MembershipFactory(organization=organization, role=role, **kwargs).user


@pytest.fixture
def admin(operator):
    return _member(operator, Role.ADMIN)


@pytest.fixture
def director(operator):
    return _member(operator, Role.DIRECTION)


@pytest.fixture
def counsellor(operator):
    return _member(operator, Role.COUNSELLOR)


@pytest.fixture
def coordinator(operator):
    return _member(operator, Role.COORDINATOR)


@pytest.fixture
def partner(housing):
    return _member(housing, Role.PARTNER)


@pytest.fixture
def outsider(other_operator):
    """The admin of another operator: must never see anything of ``operator``."""
    return _member(other_operator, Role.ADMIN)


@pytest.fixture
def volunteer_user(operator):
    """A volunteer's log-in (issue 21); ``world`` links it to its person's record."""
    return _member(operator, Role.VOLUNTEER)


@pytest.fixture
def personas(admin, director, counsellor, coordinator, partner, outsider, volunteer_user):
    return {
        "admin": admin,
        "director": director,
        "counsellor": counsellor,
        "coordinator": coordinator,
        "partner": partner,
        "outsider": outsider,
        "volunteer": volunteer_user,
    }


@pytest.fixture
def world(operator, housing, personas, legal_ceilings):
    """One row of every kind an address names, in ``operator`` (tests/walk.py)."""
    from tests.walk import world_rows

    return world_rows(operator, housing, personas)
