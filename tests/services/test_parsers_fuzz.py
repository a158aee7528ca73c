"""Property tests: random JSON fed to every parser gives a result or a BadResponseError, never
another exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.services import aavso, astrometry_net
from planner.services.errors import BadResponseError
from planner.services.http import parse_or_bad_response

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=15,
)


def keyed(keys):
    """Objects that use the parser's own keys with random values, to reach deeper code."""
    return st.dictionaries(st.sampled_from(keys), json_values, max_size=len(keys))


TARGET_KEYS = ["star_name", "ra", "dec", "period", "obs_section", "observability_times", "priority", "filter",
               "min_mag", "last_data_point", "solar_conjunction", "other_info"]
PARSERS = {
    "telescope": (aavso.parse_telescope, ["latitude", "longitude", "targetaltitude", "sunaltitude"]),
    "nighttime": (aavso.parse_nighttime, ["status", "sunset", "sunrise"]),
    "targets": (aavso.parse_targets_payload, ["targets"]),
    "calibration": (astrometry_net.parse_calibration, ["ra", "dec", "radius", "pixscale", "orientation", "parity"]),
    "annotations": (astrometry_net.parse_annotations, ["annotations"]),
    "submission": (lambda d: astrometry_net.parse_submission_status(d, 1), ["jobs", "job_calibrations", "user_images", "processing_started"]),
    "job_info": (lambda d: astrometry_net.parse_job_info(d, 1), ["status", "calibration", "tags", "machine_tags", "objects_in_field", "original_filename"]),
}


def run(parser, data):
    try:
        parse_or_bad_response("Fuzz", parser, data)
    except BadResponseError:
        pass


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=json_values)
def test_random_json(name, data):
    run(PARSERS[name][0], data)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_values_under_real_keys(name, data):
    parser, keys = PARSERS[name]
    run(parser, data.draw(keyed(keys)))


@settings(max_examples=50, deadline=None)
@given(records=st.lists(keyed(TARGET_KEYS) | json_values, max_size=6))
def test_random_target_records(records):
    """Bad records become problems, good ones targets; the call as a whole never crashes."""
    try:
        result = parse_or_bad_response("Fuzz", aavso.parse_targets_payload, {"targets": records})
    except BadResponseError:
        return
    assert len(result.targets) + len(result.problems) == len(records)


@settings(max_examples=40, deadline=None)
@given(items=st.lists(keyed(["names", "type", "pixelx", "pixely", "radius"]), max_size=4))
def test_random_annotations(items):
    run(astrometry_net.parse_annotations, {"annotations": items})
