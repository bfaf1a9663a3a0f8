"""Lesson 04's printed tables (vit_explained.plotting.lesson04): the parameter table and the LayerNorm gap table."""

import pytest

from vit_explained.plotting.lesson04 import gap_table, parameter_formula_table


def test_parameter_formula_table_rows_shares_and_totals():
    table = parameter_formula_table({"qkv": 30, "mlp": 70}, {"qkv": (30, "3D^2"), "mlp": (70, "8D^2")})
    lines = table.splitlines()
    assert lines[0].split() == ["part", "counted", "formula", "share", "how"]
    assert lines[1].split() == ["qkv", "30", "30", "30.00", "%", "3D^2"]
    assert lines[2].split() == ["mlp", "70", "70", "70.00", "%", "8D^2"]
    assert lines[3].split() == ["total", "100", "100", "=", "0.0M"]
    with pytest.raises(ValueError, match="no row for"):
        parameter_formula_table({"head": 1}, {})


def test_gap_table_aligns_four_decimals_per_column():
    table = gap_table({"x": [0.0, 1.23456], "longer name": [5.0, 0.1]}, ("a", "bb"))
    lines = table.splitlines()
    assert lines[0].split() == ["input", "a", "bb"] and len({len(line) for line in lines}) == 1
    assert lines[1].split() == ["x", "0.0000", "1.2346"] and lines[2].endswith("5.0000    0.1000")
    with pytest.raises(ValueError, match="2 columns"):
        gap_table({"x": [1.0]}, ("a", "b"))
