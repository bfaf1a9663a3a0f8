"""gelu against torch, and the MLP's shapes."""

import pytest
import torch
import torch.nn.functional as F

from vit_explained import GELU, MLP, gelu


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_equals_torch(approximate):
    x = torch.linspace(-8, 8, 10001, dtype=torch.float64)
    torch.testing.assert_close(gelu(x, approximate), F.gelu(x, approximate=approximate), rtol=1e-12, atol=1e-12)
    x32 = torch.randn(4, 5, 6)
    torch.testing.assert_close(GELU(approximate)(x32), F.gelu(x32, approximate=approximate))


def test_gelu_approximations_differ_slightly():
    x = torch.linspace(-5, 5, 1001, dtype=torch.float64)
    difference = (gelu(x, "none") - gelu(x, "tanh")).abs().max().item()
    assert 1e-5 < difference < 1e-3


def test_mlp_shapes_and_parameters():
    mlp = MLP(768, 3072)
    assert mlp(torch.zeros(2, 197, 768)).shape == (2, 197, 768)
    assert sum(p.numel() for p in mlp.parameters()) == 768 * 3072 + 3072 + 3072 * 768 + 768


def test_mlp_equals_explicit_layers():
    torch.manual_seed(0)
    mlp = MLP(6, 10, out_dim=4)
    x = torch.randn(2, 3, 6)
    expected = F.linear(F.gelu(F.linear(x, mlp.fc1.weight, mlp.fc1.bias)), mlp.fc2.weight, mlp.fc2.bias)
    torch.testing.assert_close(mlp(x), expected)


def test_mlp_dropout_differs_in_training_and_is_off_in_eval():
    torch.manual_seed(0)
    mlp = MLP(16, 64, dropout=0.5)
    plain = MLP(16, 64)
    plain.load_state_dict(mlp.state_dict())
    tokens = torch.randn(2, 5, 16)
    assert not torch.equal(mlp(tokens), mlp(tokens))
    mlp.eval()
    assert torch.equal(mlp(tokens), mlp(tokens))
    torch.testing.assert_close(mlp(tokens), plain(tokens))
    assert sum(p.numel() for p in mlp.parameters()) == sum(p.numel() for p in plain.parameters())
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\), got 1\.0"):
        MLP(16, 64, dropout=1.0)
