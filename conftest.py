"""Keep the test run's Jupyter kernels and matplotlib out of $HOME and deterministic."""

import os
import tempfile
from pathlib import Path

_state = Path(tempfile.mkdtemp(prefix="vit-explained-tests-"))
for variable, folder in {
    "MPLCONFIGDIR": "matplotlib",
    "IPYTHONDIR": "ipython",
    "JUPYTER_CONFIG_DIR": "jupyter-config",
    "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
}.items():
    (_state / folder).mkdir(exist_ok=True)
    os.environ[variable] = str(_state / folder)
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # no debugger warning on kernel start
os.environ.setdefault("TQDM_MININTERVAL", "1000")  # progress bars: no intermediate refreshes in stored outputs
