"""Gradient hooks against p.grad, and the hand-derived attention backward against autograd and gradcheck."""

import copy
import math

import pytest
import torch
import torch.nn.functional as F

from vit_explained import Attention, ViT
from vit_explained.attention_backward import (
    HeadWeights,
    attention_backward,
    attention_forward,
    hand_attention,
    qkv_gradient_by_hand,
    softmax_backward,
)
from vit_explained.gradient_hooks import (
    GradientRecorder,
    cut_mlp_route,
    gradient_change,
    gradient_norms,
    group_gradient_norms,
    record_residual_routes,
    trace_backward,
)
from vit_explained.parameters import PARAMETER_PARTS, parameter_places


def small_vit(dtype=torch.float32, **kwargs) -> ViT:
    torch.manual_seed(0)
    return ViT(8, patch_size=2, num_classes=10, dim=16, depth=3, heads=2, mlp_dim=32, channels=1, **kwargs).to(dtype)


def batch(dtype=torch.float32):
    generator = torch.Generator().manual_seed(1)
    return torch.randn(6, 1, 8, 8, generator=generator, dtype=dtype), torch.arange(6) % 10


def loss_of(model, dtype=torch.float32):
    images, labels = batch(dtype)
    return F.cross_entropy(model(images), labels)


def random_attention_inputs(batch_shape=(2,), tokens=5, width=6, head=3, bias=False, seed=0):
    generator = torch.Generator().manual_seed(seed)

    def rand(*shape):
        return torch.randn(*shape, generator=generator, dtype=torch.float64).requires_grad_()

    x = rand(*batch_shape, tokens, width)
    weights = [rand(head, width) for _ in range(3)]
    biases = [rand(head) for _ in range(3)] if bias else [None, None, None]
    return x, weights, biases


# --- the hand-derived backward pass ---------------------------------------------------------------


@pytest.mark.parametrize("batch_shape", [(), (3,), (2, 2)])
@pytest.mark.parametrize("bias", [False, True])
def test_attention_backward_equals_autograd(batch_shape, bias):
    x, (w_q, w_k, w_v), (b_q, b_k, b_v) = random_attention_inputs(batch_shape, bias=bias)
    out = attention_forward(x, HeadWeights(w_q, w_k, w_v, b_q, b_k, b_v))
    grad_out = torch.randn_like(out)
    leaves = {"dX": x, "dW_q": w_q, "dW_k": w_k, "dW_v": w_v}
    if bias:
        leaves |= {"db_q": b_q, "db_k": b_k, "db_v": b_v}
    expected = torch.autograd.grad(out, list(leaves.values()), grad_out)
    ours = attention_backward(x, HeadWeights(w_q, w_k, w_v, b_q, b_k, b_v), grad_out)
    for key, reference in zip(leaves, expected, strict=True):
        torch.testing.assert_close(ours[key], reference, rtol=1e-10, atol=1e-12, msg=key)


def test_intermediate_gradients_equal_autograd():
    x, (w_q, w_k, w_v), _ = random_attention_inputs((2,), seed=3)
    s = w_q.shape[0] ** -0.5
    q, k, v = x @ w_q.T, x @ w_k.T, x @ w_v.T
    scores = s * q @ k.mT
    a = torch.softmax(scores, dim=-1)
    out = a @ v
    grad_out = torch.randn_like(out)
    names = {"dQ": q, "dK": k, "dV": v, "dS": scores, "dA": a}
    expected = torch.autograd.grad(out, list(names.values()), grad_out)
    ours = attention_backward(x, HeadWeights(w_q, w_k, w_v), grad_out)
    torch.testing.assert_close(ours["A"], a.detach())
    for key, reference in zip(names, expected, strict=True):
        torch.testing.assert_close(ours[key], reference, rtol=1e-10, atol=1e-12, msg=key)


def test_gradcheck_on_the_hand_backward_and_on_the_forward():
    x, (w_q, w_k, w_v), _ = random_attention_inputs((2,), tokens=4, width=5, head=3, seed=4)
    # hand_attention's backward is attention_backward: gradcheck compares it with finite differences.
    assert torch.autograd.gradcheck(hand_attention, (x, w_q, w_k, w_v))
    assert torch.autograd.gradcheck(lambda x, *w: attention_forward(x, HeadWeights(*w), scale=0.7), (x, w_q, w_k, w_v))


def test_gradcheck_catches_a_wrong_backward(monkeypatch):
    """The gradcheck test above can fail: break the softmax backward and it does."""
    import vit_explained.attention_backward as backward

    monkeypatch.setattr(backward, "softmax_backward", lambda a, grad_a: a * grad_a)
    x, (w_q, w_k, w_v), _ = random_attention_inputs((), tokens=4, width=5, head=3, seed=5)
    assert not torch.autograd.gradcheck(hand_attention, (x, w_q, w_k, w_v), raise_exception=False)


def test_hand_attention_backward_reuses_the_saved_forward(monkeypatch):
    """The autograd Function's backward does not run the forward pass again."""
    import vit_explained.attention_backward as backward

    x, (w_q, w_k, w_v), _ = random_attention_inputs((2,), seed=7)
    out = hand_attention(x, w_q, w_k, w_v)
    calls = []
    original = backward._forward
    monkeypatch.setattr(backward, "_forward", lambda *args: calls.append(1) or original(*args))
    grads = torch.autograd.grad(out, [x, w_q], torch.ones_like(out))
    assert calls == [] and grads[0].shape == x.shape


def test_softmax_backward_equals_autograd():
    scores = torch.randn(2, 3, 6, 6, dtype=torch.float64, requires_grad=True)
    a = torch.softmax(scores, dim=-1)
    grad_a = torch.randn_like(a)
    (expected,) = torch.autograd.grad(a, scores, grad_a)
    torch.testing.assert_close(softmax_backward(a.detach(), grad_a), expected)


def test_attention_forward_equals_sdpa_and_one_head_attention():
    x, (w_q, w_k, w_v), (b_q, b_k, b_v) = random_attention_inputs((2,), bias=True, seed=6)
    expected = F.scaled_dot_product_attention(x @ w_q.T + b_q, x @ w_k.T + b_k, x @ w_v.T + b_v)
    torch.testing.assert_close(attention_forward(x, HeadWeights(w_q, w_k, w_v, b_q, b_k, b_v)), expected)
    module = Attention(12, 1).double()
    tokens = torch.randn(2, 5, 12, dtype=torch.float64)
    w_q, w_k, w_v = module.qkv.weight.chunk(3)
    b_q, b_k, b_v = module.qkv.bias.chunk(3)
    ours = module.proj(attention_forward(tokens, HeadWeights(w_q, w_k, w_v, b_q, b_k, b_v)))
    torch.testing.assert_close(ours, module(tokens))


@pytest.mark.parametrize("qkv_bias", [True, False])
@pytest.mark.parametrize("fused", [True, False])
def test_qkv_gradient_by_hand_equals_the_vit_qkv_grad(qkv_bias, fused):
    model = small_vit(torch.float64, qkv_bias=qkv_bias)
    attention = model.blocks[1].attn
    attention.fused = fused
    saved = {}
    attention.qkv.register_forward_hook(lambda m, inputs, out: saved.update(x=inputs[0].detach()))
    attention.proj.register_full_backward_hook(lambda m, grad_in, grad_out: saved.update(g=grad_in[0]))
    loss_of(model, torch.float64).backward()
    weight_grad, bias_grad = qkv_gradient_by_hand(attention, saved["x"], saved["g"])
    torch.testing.assert_close(weight_grad, attention.qkv.weight.grad, rtol=1e-9, atol=1e-12)
    if qkv_bias:
        torch.testing.assert_close(bias_grad, attention.qkv.bias.grad, rtol=1e-9, atol=1e-12)
    else:
        assert bias_grad is None


# --- recording gradient norms ----------------------------------------------------------------------


def test_recorded_norms_equal_p_grad_norms_and_hooks_are_removed():
    model = small_vit()
    with GradientRecorder(model) as recorder:
        loss_of(model).backward()
    reference = gradient_norms(model)
    assert set(recorder.norms) == set(reference) == {name for name, _ in model.named_parameters()}
    for name, value in reference.items():
        assert math.isclose(recorder.norms[name], value, rel_tol=1e-6), name
        assert recorder.calls[name] == 1
    before = dict(recorder.norms)
    loss_of(model).backward()  # after the with block: nothing recorded
    assert recorder.norms == before


def test_qkv_split_norms_add_up_to_the_qkv_norm():
    model = small_vit()
    with GradientRecorder(model) as recorder:
        loss_of(model).backward()
    for i, block in enumerate(model.blocks):
        q, k, v = recorder.qkv_norms[f"encoder.blocks.{i}.attn.qkv.weight"]
        assert math.isclose(math.sqrt(q**2 + k**2 + v**2), block.attn.qkv.weight.grad.norm().item(), rel_tol=1e-5)
        dim = block.attn.inner_dim
        assert math.isclose(v, block.attn.qkv.weight.grad[2 * dim :].norm().item(), rel_tol=1e-6)
    per_layer = recorder.qkv_by_layer()
    assert list(per_layer) == ["block 0", "block 1", "block 2"]
    # at timm's initialisation (std 0.02) the softmax route is tiny compared with the value route
    assert all(layer["v"] > 20 * max(layer["q"], layer["k"]) for layer in per_layer.values())


def test_groups_cover_every_parameter_and_combine_as_root_sum_of_squares():
    model = small_vit()
    places = set(parameter_places(model).values())
    assert {part for _, part in places} == set(PARAMETER_PARTS)
    assert ("block 2", "qkv") in places and ("final norm", "norms") in places
    groups = group_gradient_norms(
        model, {"head.weight": 3.0, "head.bias": 4.0, "encoder.blocks.0.mlp.fc1.weight": None}
    )
    assert groups == {("head", "head"): 5.0}
    with pytest.raises(ValueError, match="does not have"):
        group_gradient_norms(model, {"blocks.x": 1.0})


def test_frozen_mlp_keeps_qkv_learning_and_sgd_moves_by_minus_lr_grad():
    model = small_vit()
    for block in model.blocks:
        block.mlp.requires_grad_(False)
    with GradientRecorder(model) as recorder:
        loss_of(model).backward()
    norms = gradient_norms(model)
    assert all(value is None for name, value in norms.items() if ".mlp." in name)
    assert not any(".mlp." in name for name in recorder.norms)
    assert all(norms[f"encoder.blocks.{i}.attn.qkv.weight"] > 0 for i in range(3))
    qkv = model.blocks[0].attn.qkv.weight
    before, grad = qkv.detach().clone(), qkv.grad.clone()
    torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5).step()
    torch.testing.assert_close(qkv.detach() - before, -0.5 * grad)


def test_trace_backward_visits_the_head_first_and_attention_after_the_mlp():
    model = small_vit()
    for block in model.blocks:
        block.attn.fused = False
    with trace_backward(model) as order:
        loss_of(model).backward()
    assert order[:2] == ["head", "encoder.norm"]
    last = "encoder.blocks.2."
    assert order.index(last + "mlp.fc2") < order.index(last + "attn.attend") < order.index(last + "attn.qkv")
    assert order[-1] == "patch_embedding.proj"


def test_residual_routes_split_the_gradient():
    model = small_vit()
    with record_residual_routes(model) as routes:
        loss_of(model).backward()
    for i in range(3):
        assert routes[i]["total"].shape == (6, 17, 16)
        assert not torch.allclose(routes[i]["total"], routes[i]["skip"])
    # The skip route out of block i is the gradient at the input of block i + 1 ... and with the MLPs'
    # last layer zeroed, no gradient comes back through the MLP: total == skip.
    for block in model.blocks:
        torch.nn.init.zeros_(block.mlp.fc2.weight)
    with record_residual_routes(model) as routes:
        loss_of(model).backward()
    for i in range(3):
        torch.testing.assert_close(routes[i]["total"], routes[i]["skip"])


def forward_with_detached_mlp_input(model, images):
    """The ViT's forward written out, each block as ``h + mlp(norm2(h.detach()))``: what cut_mlp_route must equal."""
    from vit_explained.vit import add_class_token

    tokens = add_class_token(model.patch_embedding(images), model.class_token, model.pos_embedding)
    for block in model.blocks:
        h = tokens + block.attn(block.norm1(tokens))
        tokens = h + block.mlp(block.norm2(h.detach()))
    return model.head(model.fc_norm(model.encoder.norm(tokens)[:, 0]))


def test_cut_mlp_route_equals_a_detached_mlp_input_and_keeps_the_forward():
    images, labels = batch(torch.float64)
    by_hand, cut, full = small_vit(torch.float64), small_vit(torch.float64), small_vit(torch.float64)
    F.cross_entropy(forward_with_detached_mlp_input(by_hand, images), labels).backward()
    with cut_mlp_route(cut):
        cut_logits = cut(images)
        F.cross_entropy(cut_logits, labels).backward()
    full_logits = full(images)
    F.cross_entropy(full_logits, labels).backward()
    assert torch.equal(cut_logits, full_logits)  # the forward pass is unchanged, bit for bit
    for (name, a), b, c in zip(cut.named_parameters(), by_hand.parameters(), full.parameters(), strict=True):
        assert a.grad is not None, name  # every parameter, the MLP's included, still gets a gradient
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-12, atol=1e-15)
        if name.startswith(("head", "encoder.norm.", "encoder.blocks.2.mlp", "encoder.blocks.2.norm2")):
            torch.testing.assert_close(a.grad, c.grad)  # nothing above the top block's MLP input changes
    changed = [
        not torch.allclose(a.attn.qkv.weight.grad, b.attn.qkv.weight.grad)
        for a, b in zip(cut.blocks, full.blocks, strict=True)
    ]
    assert changed == [True, True, True]
    # the hooks are gone after the with block: the same model gives the full gradients again
    cut.zero_grad()
    F.cross_entropy(cut(images), labels).backward()
    for a, c in zip(cut.parameters(), full.parameters(), strict=True):
        torch.testing.assert_close(a.grad, c.grad)


def test_under_the_cut_the_gradient_at_attention_is_the_skip_route_alone():
    model = small_vit()
    with record_residual_routes(model) as routes, cut_mlp_route(model):  # routes first: it watches h before the cut
        loss_of(model).backward()
    for i in range(3):
        torch.testing.assert_close(routes[i]["total"], routes[i]["skip"], rtol=0, atol=0)


def test_gradient_change_is_relative_norm_and_cosine():
    g = torch.tensor([3.0, 4.0])
    assert gradient_change(g, g) == (0.0, 1.0)
    change = gradient_change(g, torch.tensor([4.0, -3.0]))  # orthogonal, same length
    assert math.isclose(change.relative, math.sqrt(2)) and abs(change.cosine) < 1e-12
    assert gradient_change(g, torch.zeros(2)) == (1.0, 0.0)
    with pytest.raises(ValueError, match="all zeros"):
        gradient_change(torch.zeros(2), g)
    with pytest.raises(ValueError, match="differ in shape"):
        gradient_change(g, torch.ones(3))
    with pytest.raises(TypeError, match=r"p\.grad None"):
        gradient_change(g, None)
    with pytest.raises(TypeError, match=r"must have \.blocks"), cut_mlp_route(torch.nn.Linear(2, 2)):
        pass


# --- errors ----------------------------------------------------------------------------------------------


def test_bad_input_is_named():
    x = torch.randn(2, 5, 6)
    w = torch.randn(3, 6)
    with pytest.raises(ValueError, match=r"w_k must be \(d, D\) = \(d, 6\)"):
        attention_forward(x, HeadWeights(w, torch.randn(3, 5), w))
    with pytest.raises(TypeError, match=r"x must be a torch\.Tensor"):
        attention_forward([1.0], HeadWeights(w, w, w))
    with pytest.raises(ValueError, match=r"grad_out must have the output's shape \(2, 5, 3\)"):
        attention_backward(x, HeadWeights(w, w, w), torch.randn(2, 5, 4))
    with pytest.raises(TypeError, match=r"head must be HeadWeights\(w_q, w_k, w_v"):
        attention_forward(x, w)
    with pytest.raises(ValueError, match=r"b_k must be \(3,\), one per row of w_k"):
        attention_forward(x, HeadWeights(w, w, w, None, torch.randn(4)))
    with pytest.raises(ValueError, match="same shape"):
        softmax_backward(torch.randn(3, 3), torch.randn(3, 4))
    with pytest.raises(TypeError, match=r"model must be a torch\.nn\.Module"):
        GradientRecorder("model")
    with pytest.raises(ValueError, match="grad_out must be"):
        qkv_gradient_by_hand(Attention(8, 2), torch.randn(1, 3, 8), torch.randn(1, 3, 7))


def test_backward_in_chunks_gives_the_whole_batch_gradient_and_routes():
    from vit_explained.gradient_hooks import backward_in_chunks, qkv_gradient_norms, record_residual_routes

    torch.manual_seed(0)
    whole = ViT(image_size=8, patch_size=2, num_classes=10, dim=16, depth=2, heads=2, mlp_dim=32, channels=1)
    chunked = copy.deepcopy(whole)
    images, labels = torch.randn(10, 1, 8, 8), torch.arange(10)
    with GradientRecorder(whole) as recorder, record_residual_routes(whole) as routes:
        F.cross_entropy(whole(images), labels).backward()
    with record_residual_routes(chunked) as chunk_routes:
        backward_in_chunks(chunked, images, labels, chunk=4)  # 4 + 4 + 2 images
    for p, q in zip(whole.parameters(), chunked.parameters(), strict=True):
        torch.testing.assert_close(p.grad, q.grad, rtol=1e-5, atol=1e-7)
    for index in routes:
        for key in ("skip", "total"):
            torch.testing.assert_close(routes[index][key], chunk_routes[index][key], rtol=1e-5, atol=1e-8)
    expected = recorder.qkv_by_layer()
    for layer, norms in qkv_gradient_norms(chunked).items():
        assert norms == pytest.approx(expected[layer], rel=1e-5)


def test_mlp_route_cut_agrees_with_the_pieces_it_is_built_from():
    from vit_explained.gradient_hooks import mlp_route_cut, mlp_share

    def make():
        torch.manual_seed(3)
        return ViT(8, patch_size=4, num_classes=3, dim=8, depth=2, heads=2, mlp_dim=16, channels=1)

    generator = torch.Generator().manual_seed(0)
    images, labels = torch.rand(10, 1, 8, 8, generator=generator), torch.arange(10) % 3
    result = mlp_route_cut(make, images, labels, chunk=4)
    whole, severed = make(), make()
    with record_residual_routes(whole) as routes:
        F.cross_entropy(whole(images), labels).backward()
    with cut_mlp_route(severed):
        F.cross_entropy(severed(images), labels).backward()
    for i, (a, b) in enumerate(zip(whole.blocks, severed.blocks, strict=True)):
        g, g_cut = a.attn.qkv.weight.grad, b.attn.qkv.weight.grad
        assert result.qkv_change[i] == pytest.approx(gradient_change(g, g_cut).relative, rel=1e-4)
        assert result.qkv_share[i] == pytest.approx(mlp_share(g, g_cut), rel=1e-4, abs=1e-6)
        assert result.skip[i] == pytest.approx(routes[i]["skip"].norm().item(), rel=1e-4)
        assert result.skip_per_image[i].sum().item() == pytest.approx(result.skip[i] ** 2, rel=1e-6)
        assert result.mlp_per_image[i].shape == (10,)
    assert result.fc1_change[-1] == pytest.approx(0.0, abs=1e-6)  # the top block's MLP: nothing above it
    assert set(result.qkv_norms) == {"block 0", "block 1"}
    whole.zero_grad(), severed.zero_grad()  # the last chunk on its own
    F.cross_entropy(whole(images[8:]), labels[8:]).backward()
    with cut_mlp_route(severed):
        F.cross_entropy(severed(images[8:]), labels[8:]).backward()
    for i, (a, b) in enumerate(zip(whole.blocks, severed.blocks, strict=True)):
        assert len(result.qkv_share_per_chunk[i]) == 3  # chunks of 4, 4 and 2 images
        share = mlp_share(a.attn.qkv.weight.grad, b.attn.qkv.weight.grad)
        assert result.qkv_share_per_chunk[i][2] == pytest.approx(share, rel=1e-4, abs=1e-6)
        q, k, v = (rows.norm().item() for rows in a.attn.qkv.weight.grad.chunk(3, dim=0))
        norms = result.qkv_norms_per_chunk[i][2]  # that chunk's own norms: the same up to the 2/10 loss weight
        assert len(result.qkv_norms_per_chunk[i]) == 3
        assert norms["v"] / max(norms["q"], norms["k"]) == pytest.approx(v / max(q, k), rel=1e-4)


def test_mlp_route_cut_gives_the_same_numbers_as_with_every_gradient(monkeypatch):
    """Backward computes only the gradients mlp_route_cut reads (a speed-up): every number is bit-identical."""
    from vit_explained import gradient_hooks

    def make():
        torch.manual_seed(5)
        return ViT(8, patch_size=4, num_classes=3, dim=8, depth=2, heads=2, mlp_dim=16, channels=1)

    generator = torch.Generator().manual_seed(1)
    images, labels = torch.rand(12, 1, 8, 8, generator=generator), torch.arange(12) % 3
    fast = gradient_hooks.mlp_route_cut(make, images, labels, chunk=5)
    model = gradient_hooks._read_gradients_only(make())
    learning = {name for name, p in model.named_parameters() if p.requires_grad}
    assert learning == {
        f"encoder.blocks.{i}.{n}" for i in (0, 1) for n in ("attn.qkv.weight", "attn.qkv.bias", "mlp.fc1.weight")
    }
    monkeypatch.setattr(gradient_hooks, "_read_gradients_only", lambda model: model)
    full = gradient_hooks.mlp_route_cut(make, images, labels, chunk=5)
    for field in ("skip", "mlp", "qkv_change", "qkv_share", "fc1_change", "qkv_norms", "qkv_share_per_chunk"):
        assert getattr(fast, field) == getattr(full, field), field
    assert all(
        torch.equal(a, b)
        for a, b in zip(fast.skip_per_image + fast.mlp_per_image, full.skip_per_image + full.mlp_per_image, strict=True)
    )


def test_mlp_share_adds_up_with_the_cut_share():
    from vit_explained.gradient_hooks import mlp_share

    g, g_cut = torch.tensor([3.0, 4.0]), torch.tensor([1.0, 5.0])
    cut_share = (g_cut.double() @ g.double() / (g.double() @ g.double())).item()
    assert mlp_share(g, g_cut) + cut_share == pytest.approx(1.0)
    assert mlp_share(g, 2 * g) == pytest.approx(-1.0)  # the MLP-route part points against g
