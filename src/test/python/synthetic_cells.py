"""Synthetic fluorescence-microscopy images with a known class-defining object.

Every image is a 16-bit, single-channel widefield view of a nuclear stain: one
class-defining object at a random position, one to three out-of-focus
distractor cells, uneven illumination, optical blur, Poisson shot noise and
Gaussian read noise. The classes are

    0 interphase  one smooth, bright, round-to-oval nucleus
    1 mitotic     two condensed chromatin masses (an anaphase pair)
    2 speckled    a nucleus like the interphase one, carrying 4-8 bright speckle inclusions
    3 empty       no cell in focus: only the out-of-focus neighbours

and each image comes with a mask of the class-defining object (empty for class 3), so that later
tests can ask whether an explanation points at it. Only numpy and scipy are
used, so the same images come out on any machine for the same seed.
"""
import numpy as np
from scipy import ndimage

CLASSES = ["interphase", "mitotic", "speckled", "empty"]
SIZE = 128


def _grid(size):
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    return yy, xx


def _ellipse(yy, xx, cy, cx, ry, rx, angle):
    """Soft-edged filled ellipse (1 inside, 0 outside, ~1 px transition)."""
    c, s = np.cos(angle), np.sin(angle)
    dy, dx = yy - cy, xx - cx
    u = (c * dx + s * dy) / rx
    v = (-s * dx + c * dy) / ry
    r = np.sqrt(u * u + v * v)
    edge = 1.0 / max(min(rx, ry), 1.0)
    return np.clip((1.0 - r) / edge + 0.5, 0.0, 1.0)


def _texture(rng, size, sigma, amount):
    """Smooth multiplicative chromatin texture around 1."""
    t = ndimage.gaussian_filter(rng.standard_normal((size, size)), sigma)
    t /= t.std() + 1e-9
    return 1.0 + amount * t


def _nucleus(rng, yy, xx, cy, cx, brightness, texture):
    ry, rx = rng.uniform(8.5, 12.5), rng.uniform(8.5, 12.5)
    shape = _ellipse(yy, xx, cy, cx, ry, rx, rng.uniform(0, np.pi))
    tex = _texture(rng, yy.shape[0], 2.0, texture)
    return brightness * shape * tex, shape > 0.5, max(ry, rx)


def _mitotic(rng, yy, xx, cy, cx):
    axis = rng.uniform(0, np.pi)
    gap = rng.uniform(4.0, 6.5)                  # half the distance between the masses
    length = rng.uniform(5.0, 7.0)
    density = np.zeros_like(yy)
    mask = np.zeros(yy.shape, bool)
    for sign in (-1.0, 1.0):
        my = cy + sign * gap * np.sin(axis)
        mx = cx + sign * gap * np.cos(axis)
        # each chromatin plate lies perpendicular to the spindle axis
        plate = _ellipse(yy, xx, my, mx, length, rng.uniform(1.8, 2.6), axis)
        density += rng.uniform(2.2, 3.0) * plate * _texture(rng, yy.shape[0], 1.0, 0.15)
        mask |= plate > 0.5
    # the dim cytoplasm of a rounded mitotic cell
    density += 0.12 * _ellipse(yy, xx, cy, cx, gap + 9, gap + 9, 0.0)
    # the mitotic figure is both plates and the spindle zone between them
    mask = ndimage.binary_dilation(mask, iterations=2)
    mask |= _ellipse(yy, xx, cy, cx, length + 1.0, gap + 1.0, axis) > 0.5
    return density, mask, gap + 7.0


def _speckled(rng, yy, xx, cy, cx):
    # as bright as an interphase nucleus: only the inclusions tell the classes apart
    density, mask, radius = _nucleus(rng, yy, xx, cy, cx, rng.uniform(0.9, 1.3), 0.12)
    for _ in range(rng.integers(4, 9)):
        r = rng.uniform(0, radius - 4.0)
        a = rng.uniform(0, 2 * np.pi)
        sy, sx = cy + r * np.sin(a), cx + r * np.cos(a)
        density += rng.uniform(2.0, 3.2) * np.exp(-((yy - sy) ** 2 + (xx - sx) ** 2) / (2 * 1.1 ** 2))
    return density, mask, radius


def _place(rng, taken, radius, size):
    """A centre at least `radius` from the border and clear of taken discs."""
    for _ in range(200):
        cy, cx = rng.uniform(radius + 4, size - radius - 4, 2)
        if all(np.hypot(cy - ty, cx - tx) > radius + tr + 3 for ty, tx, tr in taken):
            return cy, cx
    return None


def make_image(rng, label, size=SIZE, nuclei=False):
    """Returns (uint16 image, bool mask of the class-defining object); with nuclei=True also the
    mask of every nucleus, in focus or not (the same random draws, so the same image)."""
    yy, xx = _grid(size)
    cy, cx = rng.uniform(18, size - 18, 2)
    if label == 0:
        density, mask, radius = _nucleus(rng, yy, xx, cy, cx, rng.uniform(0.9, 1.3), 0.12)
    elif label == 1:
        density, mask, radius = _mitotic(rng, yy, xx, cy, cx)
    elif label == 2:
        density, mask, radius = _speckled(rng, yy, xx, cy, cx)
    else:
        density, mask, radius = np.zeros_like(yy), np.zeros(yy.shape, bool), 0.0

    # out-of-focus neighbours: large, dim and strongly blurred
    distractors = np.zeros_like(yy)
    every = mask.copy()
    taken = [(cy, cx, radius)] if label != 3 else []
    for _ in range(rng.integers(1, 4) if label != 3 else rng.integers(1, 5)):
        r = rng.uniform(10, 16)
        spot = _place(rng, taken, r, size)
        if spot is None:
            continue
        taken.append((spot[0], spot[1], r))
        cell = _ellipse(yy, xx, spot[0], spot[1], r, r * rng.uniform(0.7, 1.0), rng.uniform(0, np.pi))
        distractors += rng.uniform(0.2, 0.35) * cell
        every |= cell > 0.5
    distractors = ndimage.gaussian_filter(distractors, rng.uniform(3.5, 5.0))
    image = acquire(rng, density, distractors)
    return (image, mask, every) if nuclei else (image, mask)


def acquire(rng, density, distractors):
    """The microscope: optical blur of the in-focus density, the (already blurred) out-of-focus
    light added, uneven illumination, autofluorescent background, Poisson shot noise, camera offset,
    gain and Gaussian read noise. Returns the uint16 image (any square or rectangular size)."""
    h, w = density.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    psf_sigma = rng.uniform(1.0, 1.6)
    signal = ndimage.gaussian_filter(density, psf_sigma) + distractors

    # uneven illumination (vignetting-like) and autofluorescent background
    gy, gx = rng.uniform(-1, 1, 2)
    illumination = 1.0 + 0.25 * (gy * (yy / h - 0.5) + gx * (xx / w - 0.5)) * 2
    background = 0.08 + 0.04 * ndimage.gaussian_filter(rng.standard_normal((h, w)), 12) * 8

    photons_per_unit = rng.uniform(150, 600)
    expected = np.clip((signal + background) * illumination, 0, None) * photons_per_unit
    counts = rng.poisson(expected).astype(np.float64)
    adu = 100.0 + 1.8 * counts + rng.normal(0, rng.uniform(3, 6), counts.shape)
    return np.clip(np.round(adu), 0, 65535).astype(np.uint16)


def make_set(seed, per_class, nuclei=False):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(CLASSES)), per_class)
    rng.shuffle(labels)
    images, masks, every = [], [], []
    for label in labels:
        out = make_image(rng, int(label), nuclei=nuclei)
        images.append(out[0])
        masks.append(out[1])
        every.append(out[-1])
    if nuclei:
        return np.stack(images), np.stack(masks), labels, np.stack(every)
    return np.stack(images), np.stack(masks), labels


def percentile_normalize(img, low=1.0, high=99.8):
    """The demo model's input normalisation, also written into its spec file."""
    img = img.astype(np.float32)
    lo, hi = np.percentile(img, [low, high])
    return (img - lo) / max(hi - lo, 1e-6)
