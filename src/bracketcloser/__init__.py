"""bracketcloser: six kinds of language model learn to close brackets.

    import bracketcloser as bc
    bc.solve("{[(")            # ")]}"  the exact answer
    m = bc.load("models/gpt_...")   # a trained run folder (or a shipped model by name)
    m.complete(["{[(", "(()"])      # [")]}", ")"]
"""

__version__ = "0.1.0"

from .inference import load  # noqa: E402
from .solver import solve  # noqa: E402

__all__ = ["load", "solve", "__version__"]
