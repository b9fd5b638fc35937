"""Stack RNN: a controller that drives a differentiable stack (Joulin & Mikolov 2015, "Inferring
algorithmic patterns with stack-augmented recurrent nets"; Suzgun et al. 2019, "Memory-augmented
recurrent neural networks can learn generalized Dyck languages").

The five other models must hold every open bracket in something of fixed size: a hidden
state of a few hundred numbers, or a table of learned positions. That works up to the depth
and length they trained on and breaks beyond. The exact solver uses a stack, which has
neither limit. This model is given one and learns when to use it.

At every token the controller reads the token and the top of the stack and chooses, as
probabilities, between three actions:

    push   put a new vector (made from what it read) on top
    pop    remove the top element
    keep   leave the stack as it is

To keep everything differentiable the new stack is the *superposition* of the three
outcomes, weighted by those probabilities (Joulin & Mikolov's continuous stack). Trained,
the actions are near 0 or 1 and the stack behaves like the solver's: push at every opener,
pop at every closer, keep at ``input`` and ``,output``. The next token is predicted from the
controller's output and the new top of the stack: the closer of the bracket on top, or the
end token when the stack is empty.

Why this kind of stack: of the stacks in the literature (Grefenstette et al. 2015's neural
stack with continuous strengths, DuSell & Chiang's nondeterministic stacks and stack
attention, 2020-2024), the superposition stack is the simplest to read, runs as a plain loop
of tensor operations, and is the one Suzgun et al. showed to learn Dyck languages with
several bracket kinds. Closing brackets needs only a deterministic stack, so the
nondeterministic kinds' extra power (and cost) buys nothing here.

Why the controller has no memory of its own (``controller="mlp"``, the default): with a GRU
beside the stack (``controller="gru"``, as in the papers) the first trial run found a lazy
solution, pushing at every token and reading the last few tokens off the top like a tape,
and sat at 42% after 1,000 steps. With a feed-forward controller the stack is the only
memory there is, so the only way to answer is to use it as a stack: 100% on validation
after 300 steps, and the rule holds at any length and depth (bench/results/pretrained.json).
This is the lesson of the architecture: an inductive bias is what a model *cannot* do
otherwise.

The stack has no size in the weights: it gains one slot per token read, so it holds any
depth the input has (memory grows with length, like a key/value cache). Decoding carries
(controller state, stack) from token to token, a whole batch at a time. The loop over
positions is in Python, so a training step is slower than the fused recurrent models'.
Size at the default config (embeddings 16, controller 32, stack vectors 8, reading the top
one): 1,733 parameters (1,847 with the general range's four kinds).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from ..settings import check_sizes, check_types, searched
from .base import BracketModel, Recording, answer_loss

PUSH, POP, KEEP = 0, 1, 2
ACTIONS = ("push", "pop", "keep")


@dataclass
class StackConfig:
    vocab_size: int = 10
    # searched by `bracketcloser tune` within these ranges
    n_embd: int = searched(16, choices=[8, 16, 32])
    n_hidden: int = searched(32, choices=[16, 32, 64])
    stack_width: int = searched(8, choices=[4, 8, 16])  # numbers in one stack element
    stack_read: int = 1  # how many elements from the top the controller and the head see
    controller: str = "mlp"  # "mlp": no memory but the stack; "gru": a recurrent state beside it
    max_len: int = 65536  # no position table; the stack grows one slot per token

    def __post_init__(self):
        check_types(self)
        check_sizes(self, ("n_embd", "n_hidden", "max_len"))
        if self.controller not in ("mlp", "gru"):
            raise ValueError(f"unknown controller {self.controller!r} (choose from mlp, gru)")
        for name in ("stack_width", "stack_read"):
            if not 1 <= getattr(self, name) <= 1024:
                raise ValueError(f"{name} must be between 1 and 1024, got {getattr(self, name)}")


class StackRNN(Recording, BracketModel):
    # what ``explain`` shows along the stream: the actions taken after each token, and the
    # stack then (how much is in each slot, top first)
    track_names = ("actions", "stack")
    track_labels = {"actions": ACTIONS}
    track_axis = {"stack": "slot (top first)"}

    def __init__(self, cfg: StackConfig):
        super().__init__()
        self.cfg, self.max_len = cfg, cfg.max_len
        seen = cfg.stack_width * cfg.stack_read  # what is read off the top of the stack
        self.embed = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        if cfg.controller == "gru":
            self.cell = nn.GRUCell(cfg.n_embd + seen, cfg.n_hidden)
        else:
            self.cell = nn.Sequential(nn.Linear(cfg.n_embd + seen, cfg.n_hidden), nn.Tanh())
        self.actions = nn.Linear(cfg.n_hidden, len(ACTIONS))
        self.push_value = nn.Linear(cfg.n_hidden, cfg.stack_width)
        self.head = nn.Linear(cfg.n_hidden + seen, cfg.vocab_size)

    # ---- one position ----------------------------------------------------------------------

    def start(self, batch: int, device) -> tuple[torch.Tensor, torch.Tensor]:
        """An empty stack (B, 0 slots, width) and a zero controller state (B, H)."""
        return (torch.zeros(batch, self.cfg.n_hidden, device=device),
                torch.zeros(batch, 0, self.cfg.stack_width, device=device))

    def top(self, stack: torch.Tensor) -> torch.Tensor:
        """The top ``stack_read`` elements, flattened (B, read * width); empty slots read 0."""
        k = self.cfg.stack_read
        seen = stack[:, :k]
        if seen.size(1) < k:
            seen = torch.cat([seen, seen.new_zeros(seen.size(0), k - seen.size(1), seen.size(2))], 1)
        return seen.flatten(1)

    def advance(self, state, token, live=None):
        """Read one token per row: new controller state, actions, stack; logits for the next
        token. ``live`` (B,) False where a row has ended (its state is kept as it was)."""
        h, stack = state
        x = torch.cat([self.embed(token), self.top(stack)], -1)
        h_new = self.cell(x, h) if self.cfg.controller == "gru" else self.cell(x)
        act = self.actions(h_new).softmax(-1)  # (B, 3): push, pop, keep
        value = torch.tanh(self.push_value(h_new))[:, None]  # (B, 1, W)
        empty = stack.new_zeros(stack.size(0), 1, stack.size(2))
        # every outcome has one slot more than before, so the three can be added
        pushed = torch.cat([value, stack], 1)
        popped = torch.cat([stack[:, 1:], empty, empty], 1)
        kept = torch.cat([stack, empty], 1)
        p = act[:, :, None, None]
        new = p[:, PUSH] * pushed + p[:, POP] * popped + p[:, KEEP] * kept
        if live is not None:
            h_new = torch.where(live[:, None], h_new, h)
            new = torch.where(live[:, None, None], new, kept)
        logits = self.head(torch.cat([h_new, self.top(new)], -1))
        self.keep((act[:1].detach(), new[:1].norm(dim=-1).detach()))  # while recording: one prompt
        return logits, (h_new, new), act

    # ---- the contract ----------------------------------------------------------------------

    def forward(self, idx, targets=None):
        state = self.start(idx.size(0), idx.device)
        logits = []
        for t in range(idx.size(1)):
            out, state, _ = self.advance(state, idx[:, t])
            logits.append(out)
        logits = torch.stack(logits, 1)  # (B, T, V)
        return logits, answer_loss(logits, targets)

    def prefill(self, idx, lengths):
        state = self.start(idx.size(0), idx.device)
        logits = None
        for t in range(int(lengths.max())):
            live = t < lengths
            out, state, _ = self.advance(state, idx[:, t], live)
            logits = out if logits is None else torch.where(live[:, None], out, logits)
        return logits, state

    def step(self, state, token):
        logits, state, _ = self.advance(state, token)
        return logits, state
