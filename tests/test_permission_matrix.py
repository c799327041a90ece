"""The permission matrix: every persona × every page and endpoint × own area / other area / missing id.

The table (tests/permission_matrix.py) gives each route's capability; the expected status is derived from
``ROLE_CAPABILITIES`` and the case: anonymous → login page (302) or 401 (API); no capability → 403; another area or a
missing id → 404; own area → the route's success status. A route of the resolver without an entry fails the coverage
test, and so does an entry for a route that no longer exists.
"""
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.permission_matrix import (
    ADMIN_MODEL_VIEWS,
    ADMIN_MODELS,
    ADMIN_SITE_ROUTES,
    ADMIN_VIEWS,
    MISSING,
    OWN,
    PAGE,
    PUBLIC,
    ROUTES,
    expected_admin_status,
    expected_status,
)
from tests.permission_matrix_objects import (
    ANONYMOUS,
    KINDS,
    MISSING_PK,
    PERSONA_POSTS,
    PERSONAS,
    STAFF_ROLES,
    build_world,
    missing_kwargs,
    place,
)


def resolver_routes(patterns=None, prefix="", namespace=""):
    """Every named route of the resolver as {name: pattern}; unnamed routes under ``None:<pattern>``."""
    routes = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes.update(resolver_routes(entry.url_patterns, prefix + str(entry.pattern), inner))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"None:{prefix}{entry.pattern}"
            routes[name] = prefix + str(entry.pattern)
    return routes


def admin_entry(name):
    """Whether the admin route ``name`` has an entry: a site page, or a view of a model in ADMIN_MODELS."""
    if name in ADMIN_SITE_ROUTES or name == "None:admin/(?P<url>.*)$":  # the catch-all: 404 or login
        return True
    if name.startswith("None:admin/"):  # <model>/<object_id>/ redirects to the change page
        app, model, *_ = name.removeprefix("None:admin/").split("/")
        return f"{app}.{model}" in ADMIN_MODELS
    model_part, _, view = name.removeprefix("admin:").rpartition("_")
    return view in ADMIN_MODEL_VIEWS and any(
        model_part == label.replace(".", "_") for label in ADMIN_MODELS
    )


def test_every_route_has_an_entry_and_every_entry_a_route():
    routes = resolver_routes()
    # The media route exists only when DEBUG serves uploads itself; it is not part of the application.
    routes = {name: pattern for name, pattern in routes.items() if not pattern.startswith("^media/")}
    without_entry = sorted(
        f"{name} ({pattern})" for name, pattern in routes.items()
        if not (admin_entry(name) if name.startswith(("admin:", "None:admin/")) else name in ROUTES)
    )
    assert not without_entry, "routes without an entry in tests/permission_matrix.py: " + ", ".join(without_entry)
    stale = sorted(set(ROUTES) - set(routes))
    assert not stale, "entries for routes that no longer exist: " + ", ".join(stale)
    admin_labels = {name.removeprefix("admin:").rpartition("_")[0] for name in routes if name.startswith("admin:")}
    stale_models = sorted(label for label in ADMIN_MODELS if label.replace(".", "_") not in admin_labels)
    assert not stale_models, "admin models no longer registered: " + ", ".join(stale_models)


# ---------------------------------------------------------------- the matrix


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Personas and objects made once for this module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            users, objects = build_world()
            yield {"users": users, "objects": objects}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _cells():
    for name, route in ROUTES.items():
        cases = list(route.cases)
        if route.kind and route.kind not in KINDS:
            cases = [MISSING]
        for persona in PERSONAS:
            for case in cases:
                yield pytest.param(persona, name, case, id=f"{persona}-{name}-{case}")


def _url(name, route, case, role, world):
    object_code = None
    if case == PAGE:
        kwargs = {}
    elif case == MISSING:
        kwargs = dict(missing_kwargs(route.kind))
    else:
        object_code = place(route.kind, case, role)
        kwargs = dict(world["objects"][route.kind][object_code])
    if route.query:
        return f"{reverse(name, kwargs=route.extra or None)}?{route.query.format(**kwargs)}", object_code
    return reverse(name, kwargs={**kwargs, **route.extra} or None), object_code


@pytest.mark.parametrize(("persona", "name", "case"), list(_cells()))
def test_permission_matrix(world, db, client_for, api_for, persona, name, case):
    route = ROUTES[name]
    role = None if persona == ANONYMOUS else persona
    url, object_code = _url(name, route, case, role, world)
    user = None if role is None else world["users"][persona]
    expected = expected_status(route, role, PERSONA_POSTS.get(role), case, object_code)
    if route.api:
        client = api_for(user)
    else:
        client = Client() if user is None else client_for(user)
    response = getattr(client, route.method)(url)
    assert response.status_code == expected, (
        f"{persona} × {name} × {case}: {route.method.upper()} {url} answered {response.status_code}, "
        f"expected {expected}"
    )
    if user is None and not route.api and expected == 302 and route.capability != PUBLIC:
        assert response["Location"] == f"/accounts/login/?next={quote(url)}"
    if user is None and route.api and expected == 401:
        assert response["WWW-Authenticate"]
    if case == OWN and expected == route.success and response.status_code == 200 and not route.api:
        assert response.content, f"{name}: an empty page"


# ---------------------------------------------------------------- the admin


def _admin_cells():
    for persona in PERSONAS:
        yield pytest.param(persona, "admin:index", "page", id=f"{persona}-admin:index-page")
        for label in ADMIN_MODELS:
            for view in ADMIN_VIEWS:
                yield pytest.param(persona, f"{label}:{view}", MISSING if view == "change" else PAGE,
                                   id=f"{persona}-admin:{label}:{view}-{MISSING if view == 'change' else PAGE}")


@pytest.mark.parametrize(("persona", "name", "case"), list(_admin_cells()))
def test_admin_permission_matrix(world, db, client_for, persona, name, case):
    user = None if persona == ANONYMOUS else world["users"][persona]
    is_staff = persona in STAFF_ROLES
    if name == "admin:index":
        url = reverse(name)
        expected = 200 if is_staff else 302
    else:
        label, view = name.rsplit(":", 1)
        route = f"admin:{label.replace('.', '_')}_{view}"
        url = reverse(route, args=[MISSING_PK]) if view == "change" else reverse(route)
        expected = expected_admin_status(label, view, None if user is None else persona, is_staff)
    response = (Client() if user is None else client_for(user)).get(url)
    assert response.status_code == expected, (
        f"{persona} × admin {name} × {case}: GET {url} answered {response.status_code}, expected {expected}"
    )
    if expected == 302:
        login = f"/admin/login/?next={quote(url)}"
        assert response["Location"] == (reverse("admin:index") if is_staff else login)
