"""The latent plot's 2-D view of latent points: PCA axes kept from epoch to epoch, and the
way from the plot back to latent points (inspecting an empty spot, the latent grid).

Plain numpy: the controller, the inspector, the prober and the family plots use it alike.
"""
from __future__ import annotations

import numpy as np


def project_latent(z: np.ndarray, previous: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray | None]:
    """2-D view of z_mean (n, latent_dim): itself when latent_dim <= 2, else its first two
    principal components.

    Returns (xy (n, 2), components (2, latent_dim) or None). Each component's sign is
    chosen to agree with ``previous`` (the last epoch's components), so the cloud does not
    mirror itself from one epoch to the next; without a previous one, the sign makes the
    largest loading positive.
    """
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"z must be (n, latent_dim), got shape {z.shape}")
    n, d = z.shape
    if d == 1:
        return np.column_stack([z[:, 0], np.zeros(n)]), None
    if d == 2:
        return z.copy(), None
    if n < 2 or not np.isfinite(z).all():
        # no principal axes to find (one point, or a diverging run): the first two
        # dimensions, so the page keeps drawing instead of failing every epoch
        axes = np.eye(2, d)
        finite = np.nan_to_num(z)
        return (finite - finite.mean(axis=0)) @ axes.T, axes
    centred = z - z.mean(axis=0)
    # rows of vt are the principal axes, strongest first
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    comps = vt[:2].copy()                               # (2, latent_dim)
    for i in range(2):
        if previous is not None and previous.shape == comps.shape:
            flip = float(comps[i] @ previous[i]) < 0
        else:
            flip = comps[i][np.argmax(np.abs(comps[i]))] < 0
        if flip:
            comps[i] = -comps[i]
    return centred @ comps.T, comps


def projection_note(latent_dim: int, name: str = "z_mean") -> str:
    """The caption telling what the latent plot's axes are (``name``: z_mean or code)."""
    if latent_dim > 2:
        return f"PCA projection of {latent_dim}-D {name} (first two components)"
    if latent_dim == 1:
        return f"1-D {name} (y = 0)"
    return ""


def project_with(z: np.ndarray, center: np.ndarray | None, components: np.ndarray | None
                 ) -> np.ndarray:
    """More latent points (n, latent_dim) onto the 2-D view an epoch's ``project_latent``
    made: the same centring and axes (or as they are for 1-D and 2-D latents)."""
    z = np.atleast_2d(np.asarray(z, dtype=np.float64))
    if components is None:
        return z.copy() if z.shape[1] == 2 else np.column_stack([z[:, 0], np.zeros(len(z))])
    return (z - center) @ components.T


def unproject(xy: np.ndarray, center: np.ndarray | None, components: np.ndarray | None,
              latent_dim: int) -> np.ndarray:
    """Points of the 2-D view back to latent points (n, latent_dim): exact for 1-D and 2-D
    latents; for PCA views the point of the plane through the centre (other components 0)."""
    xy = np.atleast_2d(np.asarray(xy, dtype=np.float64))
    if components is None:
        return xy[:, :latent_dim].copy()
    return center + xy @ components
