"""casebridge/settings.py evaluated afresh under given environment variables, to test what each
variable makes of the settings without restarting the test run."""

import importlib.util
from pathlib import Path
from types import ModuleType

from django.conf import settings as django_settings

SETTINGS_FILE = Path(django_settings.BASE_DIR) / "casebridge" / "settings.py"


def settings_from(monkeypatch, tmp_path, **environment: str) -> ModuleType:
    monkeypatch.setenv("CASEBRIDGE_VAR_DIR", str(tmp_path / "var"))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("settings_under_test", SETTINGS_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
