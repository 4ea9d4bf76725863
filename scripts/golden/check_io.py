"""Byte-exact NPY fixtures from numpy's own writer, for test/unit/io/npyNumpy.test.ts.

Writes a few arrays with numpy to a temporary directory and prints each
file's bytes as hex, so that the TypeScript reader is checked against what
numpy writes (and the TypeScript writer against the same bytes). Optional and
not run in CI; run it with /usr/bin/python3 (needs numpy) and paste the hex
into the test when a fixture changes.
"""
import os
import tempfile

import numpy as np


def fixtures():
    yield "f4_2x3", np.array([[1.0, -2.5, 3.25], [0.5, 65504.0, -0.0]], dtype="<f4"), None
    yield "f8_fortran_2x3", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)), None
    yield "f2_big_endian", np.array([1.0, -2.5, 65504.0, 2.0**-24, np.inf, np.nan], dtype=">f2"), None
    yield "i8_v2", np.array([-1, 2**40, 7], dtype="<i8"), (2, 0)
    yield "b1_scalar_v3", np.array(True), (3, 0)


def main():
    print("numpy", np.__version__)
    with tempfile.TemporaryDirectory() as tmp:
        for name, array, version in fixtures():
            path = os.path.join(tmp, name + ".npy")
            with open(path, "wb") as f:
                np.lib.format.write_array(f, array, version=version)
            with open(path, "rb") as f:
                data = f.read()
            assert np.array_equal(np.load(path), array, equal_nan=True)
            print(f"{name} ({len(data)} bytes, dtype {array.dtype.str}, shape {array.shape}, "
                  f"fortran {np.isfortran(array)}): {array.ravel(order='C').tolist()}")
            print(data.hex())


if __name__ == "__main__":
    main()
