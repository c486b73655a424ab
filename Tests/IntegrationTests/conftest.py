"""Fixtures for integration tests against a private Postfix (see harness/).

postfix_factory(moat_port=None, **kw) -> PostfixInstance, created but not started
postfix                               -> started instance, no content filter
smtp_sink                             -> running harness.Sink on 127.0.0.1
"""
import os
import shutil

import pytest

from harness import Moat, PostfixInstance, Sink
from harness.postfix import wait_reaped


@pytest.fixture
def postfix_factory(request):
    """Make PostfixInstances; every one is stopped and removed at teardown.

    Instances are created unstarted so the caller can read .reinject_port
    (e.g. to configure moat) and then call .start().
    """
    if os.geteuid() != 0 or not shutil.which("postfix"):
        pytest.skip("a private Postfix instance needs root and the postfix package")
    instances = []
    request.node.postfix_instances = instances  # for the maillog on failure, below

    def make(moat_port=None, **kwargs):
        instances.append(PostfixInstance(moat_port, **kwargs))
        return instances[-1]

    yield make
    for inst in reversed(instances):
        inst.close()


@pytest.fixture
def postfix(postfix_factory):
    return postfix_factory().start()


@pytest.fixture
def smtp_sink():
    with Sink() as sink:
        yield sink


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach each instance's maillog to a failed test's report: the instance
    directory is deleted at teardown, and the log is usually the explanation."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        for inst in getattr(item, "postfix_instances", []):
            report.sections.append((f"maillog {inst.base}", inst.log_text()[-20000:]))
    return report


def pytest_sessionfinish(session):
    """Stopped masters linger as zombies until pid 1 reaps them (~1 s); wait
    for that so `pgrep master` is empty once pytest returns."""
    wait_reaped()


@pytest.fixture
def gateway(postfix_factory):
    """(postfix, moat) wired as amavisd-new would be: Postfix's content_filter points
    at a moat that re-injects into the same Postfix."""
    pf = postfix_factory()
    moat = Moat(pf.reinject_port)
    try:
        moat.start()
        pf.reconfigure(moat.port)
        pf.start()
        yield pf, moat
    finally:
        moat.stop()
