"""bracketcloser: five kinds of language model learn to close brackets.

    import bracketcloser as bc
    bc.solve("{[(")            # ")]}"  the exact answer
"""

__version__ = "0.1.0"

from .solver import solve  # noqa: E402

__all__ = ["solve", "__version__"]
