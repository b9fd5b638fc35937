import sys

import matplotlib
from matplotlib.figure import Figure

from bracketcloser.data import GENERAL
from bracketcloser.plots import generalisation_png, png_bytes, sweep


def test_png_bytes_leaves_matplotlib_as_it_was():
    before = dict.copy(matplotlib.rcParams)  # as stored: reading an item would pick a backend
    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([0, 1], [1, 0])
    assert png_bytes(fig)[:4] == b"\x89PNG"
    assert dict.copy(matplotlib.rcParams) == before
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or not pyplot.get_fignums()  # no figure left open in pyplot's registry


def test_png_bytes_closes_a_figure_pyplot_made():
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots()
    assert plt.fignum_exists(fig.number)
    png_bytes(fig)
    assert not plt.fignum_exists(fig.number)


def test_generalisation_figure():
    records = [{"input": "(" * n, "depth": n, "correct": n < 50} for n in range(1, 120)]
    curves = sweep(records)
    assert curves["by_length"]["5.5"] == [10, 10] and curves["by_length"]["115.5"] == [9, 0]
    assert generalisation_png({"m": curves}, GENERAL, "t")[:4] == b"\x89PNG"
