"""Writes goldens in the one format the Java tests read: little-endian .npy, C order."""
import numpy as np


def save_npy(path, array):
    array = np.ascontiguousarray(array)
    if array.dtype.kind == "f":
        array = array.astype("<f4")
    elif array.dtype.kind in "iu":
        array = array.astype("<i8")
    np.save(path, array)
