"""Schemathesis against the served OpenAPI document, in process, on the engine under test.

As a county receptionist and then as the county system administrator: schemathesis' coverage cases (every
limit, every required part left out, every type swapped) for the operations the role may use; every operation
fuzzed with valid and with invalid data; then a stateful run along the links schemathesis infers from the
document (register a matter, then act on it with the id and version the answer gave). Any 5xx, an answer that breaks its documented schema,
status code or content type, or invalid input that is accepted fails the test. The seed is fixed (derandomised),
so a run repeats exactly; the counts and the time are printed in pytest's closing summary.

Random ids rarely name a row, so half the drawn path ids and unit ids are replaced by rows that exist, and half
the valid bodies carry the version the row has now: the cases then reach the services' own checks instead of
stopping at a 404 or a 409. Invalid (negative) cases are sent as generated."""
from __future__ import annotations

import os
import random
import time
from collections import Counter

import hypothesis
import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import NO_FEEDBACK
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               response_schema_conformance, status_code_conformance)

from county_net.core.schemas import valid_id
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api, id_number

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
NEGATIVE_CHECKS = CHECKS + [negative_data_rejection]

# Examples per operation, role and mode. With the coverage cases (about 3,600) and the stateful steps a run
# makes some 5,700 requests per engine, in about two minutes on this machine; raise these for a longer run.
POSITIVE_EXAMPLES = 8
NEGATIVE_EXAMPLES = 4
STATEFUL_SCENARIOS = 30
STATEFUL_STEPS = 10

# Revoking the token the run itself uses is run last, once per role, so everything before it has credentials.
LAST = {"DELETE /api/v1/auth/token"}

# Body fields that name a row: drawn from rows that exist half the time.
UNIT_FIELDS = {"to_unit_id", "competent_unit_id", "locality_unit_id", "accused_unit_id", "unit_id"}


class Tally:
    def __init__(self):
        self.cases = Counter()
        self.statuses = Counter()
        self.failures: dict[tuple, str] = {}
        self.started = time.monotonic()
        self.seconds: dict[str, float] = {}

    def total(self) -> int:
        """Requests made and checked (scenarios and restarts are counted beside them, not as cases)."""
        return sum(n for (_, kind), n in self.cases.items() if kind not in ("scenarios", "restarts"))

    def fail(self, key: tuple, message: str) -> None:
        self.failures.setdefault(key, message)

    def validate(self, case, response, checks, key: tuple, **kwargs) -> None:
        self.statuses[(*key, response.status_code)] += 1
        try:
            case.validate_response(response, checks=checks, **kwargs)
        except FailureGroup as exc:
            for failure in exc.exceptions:
                self.fail((*key, type(failure).__name__), str(exc)[:4000])


class Rows:
    """Ids that exist, read from the database as it is now (rows come and go during the run)."""

    def __init__(self, app, net, own_ids: set[int]):
        self.app, self.net, self.own_ids = app, net, own_ids

    def _ids(self, statement) -> list[int]:
        with self.app.app_context(), system_scope("schemathesis rows"):
            ids = list(db.session.scalars(statement))
            db.session.remove()
        return ids

    def for_path(self, name: str) -> list[int]:
        from county_net.accounts.models import User
        from county_net.petitions.models import (Category, Petition, PetitionAttachment, PetitionLink,
                                                 Petitioner)

        tables = {"petition_id": Petition.id, "petitioner_id": Petitioner.id, "category_id": Category.id,
                  "link_id": PetitionLink.id, "attachment_id": PetitionAttachment.id, "user_id": User.id}
        if name == "unit_id":
            return sorted(self.net.units.values())
        column = tables.get(name)
        if column is None:
            return []
        ids = self._ids(sa.select(column).order_by(column.desc()).limit(20))
        return [i for i in ids if not (name == "user_id" and i in self.own_ids)]

    def version(self, path: dict) -> int | None:
        from county_net.accounts.models import User
        from county_net.petitions.models import Petition, Petitioner

        for name, model in (("petition_id", Petition), ("user_id", User), ("petitioner_id", Petitioner)):
            if name in path and valid_id(path[name]):
                found = self._ids(sa.select(model.version).where(model.id == path[name]))
                return found[0] if found else None
        return None


def _settings(examples: int) -> hypothesis.settings:
    return hypothesis.settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                               phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def _positive(case, location: ParameterLocation) -> bool:
    return case.meta is not None and not case.meta.is_negative_at(location)


class Draws:
    """Choices for steering: from Hypothesis while fuzzing (shrinkable, derandomised), from a seeded Random
    in the stateful run, where a rule's hooks cannot draw."""

    def __init__(self, data=None, rnd: random.Random | None = None):
        self.data, self.rnd = data, rnd

    def coin(self) -> bool:
        return self.data.draw(st.booleans()) if self.data is not None else self.rnd.random() < 0.5

    def choice(self, values: list):
        return self.data.draw(st.sampled_from(values)) if self.data is not None else self.rnd.choice(values)


def _steer(case, draws: Draws, rows: Rows, headers: dict, always: bool = False) -> None:
    """Point valid cases at rows that exist, half the time (`always`: every path id), as the module says."""
    if _positive(case, ParameterLocation.HEADER):
        case.headers = {**(case.headers or {}), **headers}  # not a drawn bearer token: the role's own
    path = case.path_parameters or {}
    if path and _positive(case, ParameterLocation.PATH):
        for name in list(path):
            known = rows.for_path(name)
            if known and (always or draws.coin()):
                path[name] = draws.choice(known)
    if path.get("user_id") in rows.own_ids:
        # An account resetting, moving or disabling itself ends its own sessions: allowed, but the rest of the
        # run would go on without credentials. Another user is named instead (also where a link from
        # GET /me supplied the id).
        path["user_id"] = rows.for_path("user_id")[0]
    body = case.body
    if not (isinstance(body, dict) and _positive(case, ParameterLocation.BODY)):
        return
    for name in [n for n in body if n in UNIT_FIELDS]:
        if isinstance(body[name], int) and draws.coin():
            body[name] = draws.choice(sorted(rows.net.units.values()))
    if isinstance(body.get("version"), int) and draws.coin():
        current = rows.version(path)
        if current is not None:
            body["version"] = current
    if case.operation.label == "POST /api/v1/petitions" and draws.coin():
        _registrable(body, draws, rows)


def _registrable(body: dict, draws: Draws, rows: Rows) -> None:
    """What only the database can refuse (an unknown category, a check digit, a unit that is not a
    township), made right, so registrations succeed and the matters they create are acted on."""
    body["category_id"] = draws.choice(list(range(1, 20)))
    townships = [rows.net.units["T1"], rows.net.units["T2"]]
    if body.get("locality_unit_id") is not None:
        body["locality_unit_id"] = draws.choice(townships)
    if body.get("nature") != "accusation":
        body.pop("accused_unit_id", None)
        body.pop("accused_description", None)
    seq = draws.choice(list(range(1, 900, 7)))
    for index, person in enumerate(body.get("petitioners") or []):
        if isinstance(person, dict) and person.get("id_number"):
            person["id_number"] = id_number(seq + index)
    body.pop("received_at", None)


def _run_operation(operation, headers: dict, mode: GenerationMode, examples: int, tally: Tally, role: str,
                   rows: Rows) -> None:
    checks = NEGATIVE_CHECKS if mode == GenerationMode.NEGATIVE else CHECKS

    @_settings(examples)
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case, data):
        _steer(case, Draws(data=data), rows, headers)
        _call(case, headers, tally, (role, operation.label, mode.value), checks)

    run()


def _run_coverage(schema, operations, headers: dict, tally: Tally, role: str, rows: Rows) -> None:
    """Schemathesis' coverage cases: each property at and beyond its limits, each required part left out (a
    missing body too), each type swapped; valid and invalid, generated without randomness. They are sent at
    rows that exist, so a body's checks are reached instead of a 404."""
    draws = Draws(rnd=random.Random(20261129))
    for operation in operations:
        generator = CoverageGenerator(
            operation=operation, generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            generation_config=schema.config.generation_for(operation=operation, phase="coverage"),
            auth_storage=None, override=Override(), feedback=NO_FEEDBACK)
        for case in generator:
            negative = case.meta is not None and case.meta.generation.mode.is_negative
            _steer(case, draws, rows, headers, always=True)
            _call(case, headers, tally, (role, operation.label, "coverage"), NEGATIVE_CHECKS if negative else CHECKS)


def _call(case, headers: dict, tally: Tally, key: tuple, checks) -> None:
    tally.cases[(key[0], key[2])] += 1
    # A case whose headers were made invalid (e.g. the token left out) is sent as generated.
    sent = headers if _positive(case, ParameterLocation.HEADER) else {}
    try:
        response = case.call(headers=sent)
    except Exception as exc:  # the app raising through the test client is a failure too
        tally.fail((*key, type(exc).__name__), repr(exc)[:4000])
        return
    tally.validate(case, response, checks, key, headers=sent)


def _run_stateful(schema, headers: dict, tally: Tally, role: str, rows: Rows) -> None:
    """Scenarios of up to STATEFUL_STEPS calls along the links schemathesis infers from the document (a
    registration's id and version feed the actions on that matter). The database lives on from scenario to
    scenario, which Hypothesis cannot replay: when it notices (Flaky), the run starts again with the next
    seed. Every response is checked as it comes, so nothing is lost by that."""
    draws = Draws(rnd=random.Random(20261130))
    # Stateful steps carry valid data (the negative cases are the fuzzing's); a negative step would drop the
    # bearer token and learn nothing past the 401.
    schema.config.generation.modes = [GenerationMode.POSITIVE]
    schema.config.phases.stateful.generation.modes = [GenerationMode.POSITIVE]

    class Machine(schema.as_state_machine()):
        def setup(self):
            tally.cases[(role, "scenarios")] += 1

        def before_call(self, case):
            _steer(case, draws, rows, headers)

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def call(self, case, **kwargs):
            try:
                return super().call(case, **kwargs)
            except Exception as exc:  # recorded, so that Hypothesis never replays a scenario on this database
                tally.fail((role, case.operation.label, "stateful", type(exc).__name__), repr(exc)[:4000])
                raise _Abandoned() from exc

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            tally.cases[(role, "stateful")] += 1
            tally.validate(case, response, CHECKS, (role, case.operation.label, "stateful"), headers=headers)

    seed = 20261130
    while tally.cases[(role, "scenarios")] < STATEFUL_SCENARIOS and seed < 20261130 + 3 * STATEFUL_SCENARIOS:
        Machine._hypothesis_internal_use_seed = seed  # what @seed does
        seed += 1
        try:
            Machine.run(settings=hypothesis.settings(
                max_examples=STATEFUL_SCENARIOS - tally.cases[(role, "scenarios")],
                stateful_step_count=STATEFUL_STEPS, database=None, deadline=None, phases=[Phase.generate],
                suppress_health_check=list(HealthCheck)))
        except (_Abandoned, hypothesis.errors.Flaky):
            tally.cases[(role, "restarts")] += 1


class _Abandoned(Exception):
    pass


def _admin_only(operation) -> bool:
    return operation.path.startswith(("/api/v1/users", "/api/v1/audit")) or (
        operation.path.startswith("/api/v1/categories") and operation.method != "get")


def _seed(api: Api, net) -> None:
    """Matters in several states, a repeat link, an attachment and an accusation, so rows drawn at random
    meet what the services check."""
    first = api.register("c_recv")
    api.register("c_recv")  # the same person again: a proposed repeat link
    api.register("c_recv", nature="accusation", accused_description="某所工作人员")
    api.register("c_recv", petitioners=[{"name": f"代表{i}"} for i in range(5)], head_count=40)
    handled = api.act("c_recv", first, "handle-self")
    api.upload("c_recv", handled["id"])
    moved = api.act("c_recv", api.register("c_recv"), "transfer", to_unit_id=net.units["T1"])
    assert moved["state"] == "transferred"


@pytest.fixture
def summary(request):
    tally = Tally()
    yield tally
    seconds = time.monotonic() - tally.started
    total = tally.total()
    parts = ", ".join(f"{role} {mode} {n}" for (role, mode), n in sorted(tally.cases.items()))
    codes = Counter()
    for key, n in tally.statuses.items():
        codes[key[-1]] += n
    statuses = ", ".join(f"{code}×{n}" for code, n in sorted(codes.items()))
    if os.environ.get("SCHEMATHESIS_STATUS_FILE"):  # per operation, for reading where the cases went
        with open(os.environ["SCHEMATHESIS_STATUS_FILE"], "w", encoding="utf-8") as fh:
            fh.writelines(f"{' | '.join(map(str, key))} | {n}\n" for key, n in sorted(tally.statuses.items()))
    phases = "".join(f", {name} {value:.0f} s" for name, value in tally.seconds.items())
    line = (f"schemathesis: {total} cases ({parts}) in {seconds:.0f} s{phases}; answers {statuses}; "
            f"{len(tally.failures)} failures")

    class _Summary:
        def pytest_terminal_summary(self, terminalreporter):
            terminalreporter.write_line(line)

    request.config.pluginmanager.register(_Summary(), f"schemathesis-summary-{id(tally)}")


def test_schemathesis_against_the_served_document(app, net, api_token, summary):
    api = Api(app, api_token)
    # Once each: the login throttle counts per account, and the run must not lean on it.
    tokens = {"c_recv": api.headers("c_recv"), "admin": api.headers("admin")}
    _seed(api, net)
    rows = Rows(app, net, own_ids={net.users["admin"], net.users["c_recv"]})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60

    # The receptionist first, then the admin, whose run may disable other accounts. Coverage cases go to the
    # operations each role may use (the admin's own: users, categories, audit); fuzzing and links to all.
    for role in ("c_recv", "admin"):
        mine = [op for op in operations if op.label not in LAST and (role == "admin") == _admin_only(op)]
        _run_coverage(schema, mine, tokens[role], summary, role, rows)
        for operation in operations:
            if operation.label in LAST:
                continue
            for mode, examples in ((GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
                                   (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)):
                _run_operation(operation, tokens[role], mode, examples, summary, role, rows)
        fuzzed = time.monotonic()
        _run_stateful(schema, tokens[role], summary, role, rows)
        summary.seconds[f"{role} stateful"] = time.monotonic() - fuzzed

    for role in ("c_recv", "admin"):
        for operation in operations:
            if operation.label in LAST:
                _run_operation(operation, tokens[role], GenerationMode.POSITIVE, 1, summary, role, rows)

    assert summary.total() >= 1000
    report = "\n\n".join(f"{key}\n{message}" for key, message in summary.failures.items())
    assert not summary.failures, f"{len(summary.failures)} failures\n{report}"
