import subprocess
import sys

import pytest

from commons_fund import jobs
from tests.helpers import ROOT


def test_a_task_name_no_task_answers_to_is_an_error_at_once():
    with pytest.raises(KeyError):
        jobs.queue("pledges.tasks.no_such_task", 1)


def test_a_web_process_finds_the_tasks_it_queues_by_name():
    """Nothing in a web process imports the tasks modules: queuing finds them."""
    code = (
        "import django; django.setup();"
        "from commons_fund import jobs;"
        "print(jobs._task('pledges.tasks.round_notify').name)"
    )
    found = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "commons_fund.settings", "PATH": "/usr/bin:/bin"},
    )
    assert found.stdout.strip() == "pledges.tasks.round_notify"
