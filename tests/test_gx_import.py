"""GX is imported with scipy.stats and altair deferred, and they still work."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_gx_import_defers_scipy_stats_and_altair_until_used():
    out = _python(
        "import sys\n"
        "from expectations.gx_import import import_great_expectations\n"
        "gx = import_great_expectations()\n"
        "print(gx.__name__, type(sys.modules['scipy.stats']).__name__, type(sys.modules['altair']).__name__)\n"
        "from scipy import stats\n"
        "print(round(float(stats.norm.cdf(0)), 3), type(sys.modules['scipy.stats']).__name__)\n")
    first, second = out.splitlines()[-2:]
    # imported as lazy modules: their code has not run
    assert first == "great_expectations _LazyModule _LazyModule"
    # first use loads the real module
    assert second == "0.5 module"


def test_other_imports_are_not_deferred():
    out = _python(
        "import sys\n"
        "from expectations.gx_import import import_great_expectations\n"
        "import_great_expectations()\n"
        "import json, scipy.special\n"
        "print(type(sys.modules['scipy.special']).__name__, any(type(f).__name__ == '_DeferringFinder' "
        "for f in sys.meta_path))\n")
    assert out.splitlines()[-1] == "module False"
