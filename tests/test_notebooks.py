"""Checks on the stored notebooks that nbval does not make: they run anywhere, not just here."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in ROOT.glob("notebooks/**/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_outputs_hold_no_absolute_paths_of_this_machine(path):
    """A path like /home/me/vit-explained/figures/x.png in a stored output fails nbval in any other clone."""
    notebook = json.loads(path.read_text())
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                continue  # tracebacks are not compared by nbval
            text = json.dumps({key: output.get(key) for key in ("text", "data")})
            assert str(ROOT) not in text, f"cell {index} of {path.name} shows a path inside {ROOT}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_executed_in_order_from_a_fresh_kernel(path):
    cells = [
        c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()
    ]
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1))
