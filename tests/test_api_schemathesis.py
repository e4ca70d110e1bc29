"""Property-based run of schemathesis over the whole API schema, in-process.

Every operation is called with generated parameters and bodies (anonymously, so writes must be
refused), and every answer must be a documented, schema-conforming non-5xx response. The number
of examples per operation is kept small so that the run stays well within CI's budget on both
databases; raise SCHEMATHESIS_EXAMPLES locally for a deeper run. The test world is built once per
operation and shared by its examples (anonymous writes never change it).
"""

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_world import build_world

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))


def load_schema():
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    loaded.app = get_wsgi_application()
    return loaded


schema = load_schema()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    # Called through WSGI, Django closes the database connection after each request when it is not
    # in autocommit mode -- as it is not inside the test's transaction -- so on PostgreSQL the test
    # would lose its data. Django's own test client disconnects these handlers the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    # Generated examples only: schemathesis's "coverage" phase (Hypothesis's explicit phase) tries
    # thousands of boundary combinations on an operation with twenty parameters, minutes per run.
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_within_its_schema(case, world):
    case.call_and_validate(
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    )


@pytest.fixture
def editor_token(editor):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=editor).key


writes = schema.include(method=["POST", "PUT", "PATCH", "DELETE"])


@writes.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_write_by_an_editor_answers_within_its_schema(case, world, editor_token):
    # Generated bodies reach validation, the services and the database: none may cause a 5xx.
    case.call_and_validate(
        headers={"Authorization": f"Token {editor_token}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )
