"""The feature plane of lesson 06 section 2: principal axes as torch.pca_lowrank finds them, nearest centres."""

import torch

from vit_explained.plotting.lesson06 import nearest_centre_plane


def test_plane_is_the_top_two_principal_components_up_to_sign():
    torch.manual_seed(0)
    fit_x = torch.randn(200, 6, dtype=torch.float64) * torch.tensor([5.0, 3.0, 1.0, 0.5, 0.2, 0.1], dtype=torch.float64)
    x = torch.randn(30, 6, dtype=torch.float64)
    plane, _ = nearest_centre_plane(fit_x, torch.arange(200) % 10, x, torch.arange(30) % 10)
    _, _, v = torch.pca_lowrank(fit_x, q=2, center=True, niter=10)
    trusted = (x - fit_x.mean(dim=0)) @ v
    assert torch.allclose(plane.abs(), trusted.abs(), atol=1e-8)


def test_separated_classes_are_all_nearest_their_centre_and_shuffled_labels_are_not():
    torch.manual_seed(1)
    centres = torch.tensor([[10.0 * k, -5.0 * k, 0.0] for k in range(3)])
    labels = torch.arange(300) % 3
    fit_x, x = centres[labels] + torch.randn(300, 3), centres[labels[:90]] + torch.randn(90, 3)
    _, right = nearest_centre_plane(fit_x, labels, x, labels[:90], classes=3)
    _, wrong = nearest_centre_plane(fit_x, labels, x, (labels[:90] + 1) % 3, classes=3)
    assert right == 1.0 and wrong == 0.0
