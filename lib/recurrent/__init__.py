"""The recurrent wing: chapters on backpropagation through time, memory and optimisers.

Sequences become vectors (:mod:`~lib.recurrent.encodings`), a base classifier runs the
loop over time and reads out from h_T (:mod:`~lib.recurrent.base`), and each network
defines one step: :class:`VanillaRNN`, :class:`LSTM` (with :class:`LSTMLayer` and
:class:`StackedLSTM`, the building blocks of the character model), :class:`PeepholeLSTM`
and :class:`ReLURNN`. Around them: the BPTT gradients written out
(:mod:`~lib.recurrent.bptt`), gradient flow (:mod:`~lib.recurrent.gradient_flow`), the
palindrome tasks, multi-seed sweeps, the LSTM benchmark helpers and the chapters'
drawings (:mod:`~lib.recurrent.drawing`).

Imports only the shared modules of :mod:`lib`.
"""

from lib.recurrent.base import RecurrentClassifier, uniform_
from lib.recurrent.benchmark import (
    REFERENCE,
    VARIANTS,
    TorchClassifier,
    bench_length,
    make_step,
)
from lib.recurrent.bptt import (
    W_hh_gradient_terms,
    autograd_gradients,
    backward_through_time,
    bptt_gradients,
    dW_hh_by_jacobian_products,
    gaussian_with_spectral_radius_,
    output_gradient,
    rnn_forward,
)
from lib.recurrent.drawing import draw_gate_trace, draw_lstm_cell, draw_unrolled_rnn
from lib.recurrent.encodings import ENCODINGS, SequenceInput
from lib.recurrent.gradient_flow import (
    hidden_state_grad_norms,
    largest_singular_value,
    per_sequence_grad_norms,
    set_spectral_radius_,
)
from lib.recurrent.lstm import (
    GATE_VIEWS,
    GATES,
    LSTM,
    LSTMLayer,
    StackedLSTM,
    lstm_num_params,
    state_grad_norms,
    unroll,
)
from lib.recurrent.palindromes import (
    BITS_PER_DIGIT,
    NUM_DIGITS,
    BinaryPalindromeTask,
    PalindromeTask,
    binary_palindromes,
    palindromes,
    split_binary_palindromes,
    split_palindromes,
)
from lib.recurrent.peephole import PEEPHOLE_GATES, PeepholeLSTM
from lib.recurrent.relu_rnn import ReLURNN
from lib.recurrent.rnn import VanillaRNN
from lib.recurrent.sweeps import (
    accuracy_vs_length,
    at_chance,
    curves,
    mean_accuracy,
    mean_steps,
    median_steps,
    train_seeds,
)

__all__ = [
    "BITS_PER_DIGIT",
    "ENCODINGS",
    "GATES",
    "GATE_VIEWS",
    "LSTM",
    "NUM_DIGITS",
    "PEEPHOLE_GATES",
    "REFERENCE",
    "VARIANTS",
    "BinaryPalindromeTask",
    "LSTMLayer",
    "PalindromeTask",
    "PeepholeLSTM",
    "ReLURNN",
    "RecurrentClassifier",
    "SequenceInput",
    "StackedLSTM",
    "TorchClassifier",
    "VanillaRNN",
    "W_hh_gradient_terms",
    "accuracy_vs_length",
    "at_chance",
    "autograd_gradients",
    "backward_through_time",
    "bench_length",
    "binary_palindromes",
    "bptt_gradients",
    "curves",
    "dW_hh_by_jacobian_products",
    "draw_gate_trace",
    "draw_lstm_cell",
    "draw_unrolled_rnn",
    "gaussian_with_spectral_radius_",
    "hidden_state_grad_norms",
    "largest_singular_value",
    "lstm_num_params",
    "make_step",
    "mean_accuracy",
    "mean_steps",
    "median_steps",
    "output_gradient",
    "palindromes",
    "per_sequence_grad_norms",
    "rnn_forward",
    "set_spectral_radius_",
    "split_binary_palindromes",
    "split_palindromes",
    "state_grad_norms",
    "train_seeds",
    "uniform_",
    "unroll",
]
