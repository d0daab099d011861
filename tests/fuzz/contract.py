"""What the fuzz tests hold every API to: Schemathesis's settings, its checks, and known ids."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import schemathesis
from hypothesis import strategies as st

METHODS = {"get", "put", "post", "patch", "delete"}
# Answers a schema-valid request may still get for domain reasons: no or a bad token (401),
# the wrong role or someone else's record (403), an id that does not exist (404), a state
# that forbids the change (409), or a rule across fields the schema cannot express (422,
# e.g. a due date before the dialogue). They count as accepted only where the operation
# documents them: an undocumented refusal of valid data is a finding.
DOMAIN_REFUSALS = ("401", "403", "404", "409", "422")


def accepted_statuses(operation: Mapping) -> list[str]:
    """Statuses that mean 'valid data accepted' for one operation of an OpenAPI document."""
    documented = set(operation.get("responses", {}))
    return ["2xx", "3xx", *(status for status in DOMAIN_REFUSALS if status in documented)]


def fuzz_config(spec: Mapping, *, headers: dict[str, str], seed: int,
                max_examples: int) -> schemathesis.Config:
    """Every check (`--checks all`), with the positive-data check told each operation's refusals.

    The seed and deterministic generation make a run reproducible; `too_slow` is the only
    health check suppressed (a request through a real database is slower than Hypothesis
    expects, which says nothing about the API); no example database is written. Query
    parameters an operation does not name are ignored by design (as most HTTP APIs do, so
    that a cache-busting or tracking parameter breaks nothing), so none are generated.
    """
    operations = [
        {"include-name": f"{method.upper()} {path}",
         "checks": {"positive_data_acceptance": {"expected-statuses": accepted_statuses(op)}}}
        for path, item in spec["paths"].items()
        for method, op in item.items() if method in METHODS
    ]
    return schemathesis.Config.from_dict({
        "seed": seed,
        "suppress-health-check": ["too_slow"],
        "generation": {"max-examples": max_examples, "deterministic": True, "database": "none",
                       "allow-extra-parameters": False},
        "checks": {"enabled": True},
        "headers": headers,
        "operations": operations,
    })


def load_schema(app, *, headers: dict[str, str], seed: int, max_examples: int,
                known_ids: Mapping[str, Sequence]):
    """The app's own OpenAPI document as a Schemathesis schema that calls the app in-process."""
    spec = app.test_client().get("/openapi.json").get_json()
    config = fuzz_config(spec, headers=headers, seed=seed, max_examples=max_examples)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)
    mix_in_known_ids(schema, known_ids)
    return schema


def mix_in_known_ids(schema, known_ids: Mapping[str, Sequence]) -> None:
    """Let generated cases also use ids that exist, so the fuzz gets past the 404s.

    Random strings never name a unit or a dialogue: without this, nearly every request
    to /units/{unit_id} would end at "not found". Path, query and top-level body fields
    named in known_ids may take a known value instead. Schemathesis re-checks a case a
    hook changed, so a replaced value keeps the case's positive/negative label true.
    """

    @schema.hook
    def flatmap_case(context, case):
        names = [(location, name) for location in ("path_parameters", "query", "body")
                 for name in _fields(case, location) if name in known_ids]
        if not names:
            return st.just(case)
        known = st.tuples(*(st.sampled_from(known_ids[name]) for _, name in names))
        return st.one_of(st.just(case), known.map(lambda values: _with(case, names, values)))


def _fields(case, location: str) -> Sequence[str]:
    container = getattr(case, location)
    return list(container) if isinstance(container, dict) else []


def _with(case, names, values):
    for (location, name), value in zip(names, values, strict=True):
        setattr(case, location, {**getattr(case, location), name: value})
    return case
