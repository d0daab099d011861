"""Every operation of every service's API, fuzzed for each role: no 5xx, no answer off its schema.

Each test runs every operation of one service as a subtest; a failure names the operation
(in the subtest's id), the role (in the test's id), the failed check and a curl command.
"""

import schemathesis

content = schemathesis.pytest.from_fixture("content_schema")
assessment = schemathesis.pytest.from_fixture("assessment_schema")
notify = schemathesis.pytest.from_fixture("notify_schema")


@content.parametrize()
def test_content(case):
    case.call_and_validate()


@assessment.parametrize()
def test_assessment(case):
    case.call_and_validate()


@notify.parametrize()
def test_notify(case):
    case.call_and_validate()
